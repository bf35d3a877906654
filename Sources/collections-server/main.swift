import CollectionsCommandLine

await runCommandLine(CollectionsServer.self, name: "collections-server")
