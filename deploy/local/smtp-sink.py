"""A real SMTP server on loopback for the tests and the benchmark (aiosmtpd).

    python3 smtp-sink.py PORT_FILE LOG_FILE

Listens on 127.0.0.1 at a free port, writes the port to PORT_FILE once it listens,
and appends one JSON line per message accepted to LOG_FILE: its Message-ID, its
recipients and its bytes. Recipients choose the answer, so tests can ask for the
failures real servers give:
  tempfail-N-...@...  451 for the first N messages to that address, then 250
  reject-...@...      550 (mailbox unavailable), every time
  slow-...@...        accepted after 1 s (for kills in the middle of a send)
"""
import asyncio
import json
import os
import signal
import socket
import sys
from email.parser import BytesHeaderParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, log_path):
        self.log = open(log_path, "a", buffering=1)
        self.tries = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("reject-"):
            return "550 5.1.1 mailbox unavailable"
        if local.startswith("tempfail-"):
            limit = int(local.split("-")[1])
            seen = self.tries.get(address, 0)
            self.tries[address] = seen + 1
            if seen < limit:
                return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(r.split("@")[0].lower().startswith("slow-") for r in envelope.rcpt_tos):
            await asyncio.sleep(1)
        headers = BytesHeaderParser().parsebytes(envelope.content)
        self.log.write(json.dumps({
            "message_id": headers.get("Message-ID", ""),
            "to": envelope.rcpt_tos,
            "mail_from": envelope.mail_from,
            "data": envelope.content.decode("utf-8", "replace"),
        }) + "\n")
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    # A parent may have blocked these (libdispatch blocks signals in its threads,
    # and a child inherits the mask): unblocked, SIGTERM ends the sink.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    port_file, log_file = sys.argv[1], sys.argv[2]
    port = free_port()
    controller = Controller(Sink(log_file), hostname="127.0.0.1", port=port,
                            server_kwargs={"data_size_limit": 10 * 1024 * 1024})
    controller.start()
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(port))
    os.replace(tmp, port_file)
    try:
        asyncio.get_event_loop().run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
