"""The benchmark's baseline: Python's smtplib sending the same messages over one
connection, as fast as it can.

    python3 smtplib-baseline.py PORT MESSAGES.jsonl

MESSAGES.jsonl is what deploy/local/smtp-sink.py logged of the sender's run: each
line's envelope and bytes are sent again, in order. Prints the seconds taken.
"""
import json
import smtplib
import sys
import time

port, path = int(sys.argv[1]), sys.argv[2]
messages = [json.loads(line) for line in open(path) if line.strip()]
start = time.perf_counter()
with smtplib.SMTP("127.0.0.1", port) as smtp:
    for m in messages:
        smtp.sendmail(m["mail_from"], m["to"], m["data"].encode("utf-8"))
print(f"{time.perf_counter() - start:.3f}")
