import CollectionsSchema
import CollectionsService
import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct MigrationTests {
    @Test func migrateAppliesEveryMigrationOnceAndASecondRunDoesNothing() async throws {
        let database = try await TestDatabase.create("migrate")
        let migrator = Migrator(configuration: database.configuration)
        let pending = try await migrator.migrate(dryRun: true)
        #expect(pending.map(\.name) == Migration.all.map(\.name))
        let applied = try await migrator.migrate()
        #expect(applied.map(\.name) == Migration.all.map(\.name))
        #expect(try await migrator.migrate().isEmpty)
        let status = try await migrator.status()
        #expect(status.allSatisfy { $0.state == .applied })
        try await database.drop()
    }

    @Test func theMigrateLoginMigratesADatabaseASuperuserBootstrappedAndNothingElse() async throws {
        let fresh = try await TestDatabase.create("migrate_login_fresh")
        // Not bootstrapped: the login may not hand itself the schema or set the
        // database's search_path, and says who may.
        let refused = await #expect(throws: Migrator.Failure.self) {
            _ = try await Migrator(configuration: fresh.configuration(as: .migrate)).migrate()
        }
        #expect(refused?.description.contains("must run as a superuser") == true, "\(refused?.description ?? "")")
        try await fresh.bootstrap()
        let migrator = Migrator(configuration: fresh.configuration(as: .migrate))
        #expect(try await migrator.migrate().map(\.name) == Migration.all.map(\.name))
        #expect(try await migrator.migrate().isEmpty)
        #expect(try await migrator.status().allSatisfy { $0.state == .applied })
        let connection = try await fresh.connect()
        let owners = try await connection.query("""
            SELECT DISTINCT pg_get_userbyid(relowner)::text FROM pg_class WHERE relnamespace = 'public'::regnamespace
            """).map { try $0.decode(String.self, at: 0) }
        #expect(owners == ["collections_owner"])
        await connection.close()
        // Nobody else may migrate.
        for login in [Login.admin, .worker, .server] {
            let error = await #expect(throws: (any Error).self, "\(login.name) migrated") {
                _ = try await Migrator(configuration: fresh.configuration(as: login)).migrate()
            }
            #expect(error != nil)
        }
        try await fresh.drop()
    }

    @Test func fourConcurrentRunnersApplyEachMigrationExactlyOnce() async throws {
        let database = try await TestDatabase.create("concurrent")
        let applied = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<4 {
                group.addTask { try await Migrator(configuration: database.configuration).migrate().map(\.name) }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(applied.sorted() == Migration.all.map(\.name).sorted())
        let connection = try await database.connect()
        let rows = try await connection.query("SELECT count(*) FROM schema_migrations").scalar(Int.self)
        #expect(rows == Migration.all.count)
        await connection.close()
        try await database.drop()
    }

    @Test func aFailingMigrationLeavesNothingAndNamesTheFileAndStatement() async throws {
        let database = try await TestDatabase.create("failing")
        let broken = Migration.all + [Migration(name: "9001_broken.sql", sql: """
            CREATE TABLE half_done (a int);
            -- the next statement fails
            INSERT INTO half_done VALUES ('not a number');
            """)]
        let error = await #expect(throws: Migrator.Failure.self) {
            _ = try await Migrator(configuration: database.configuration, migrations: broken).migrate()
        }
        #expect(error?.description.contains("9001_broken.sql") == true)
        #expect(error?.description.contains("line 3") == true)
        #expect(error?.description.contains("INSERT INTO half_done") == true)
        let connection = try await database.connect()
        #expect(try await connection.query("SELECT to_regclass('half_done') IS NULL").scalar(Bool.self) == true)
        #expect(try await connection.query("SELECT count(*) FROM schema_migrations WHERE version = 9001").scalar(Int.self) == 0)
        await connection.close()
        try await database.drop()
    }

    @Test func anEditedOrUnknownAppliedMigrationStopsTheRun() async throws {
        let database = try await TestDatabase.create("edited")
        _ = try await Migrator(configuration: database.configuration).migrate()
        var edited = Migration.all
        edited[0] = Migration(name: edited[0].name, sql: edited[0].sql + "\n-- edited")
        let changed = await #expect(throws: Migrator.Failure.self) {
            _ = try await Migrator(configuration: database.configuration, migrations: edited).migrate()
        }
        #expect(changed?.description.contains("was edited after it was applied") == true)
        let older = Array(Migration.all.dropLast())
        if older.count < Migration.all.count, !older.isEmpty || Migration.all.count == 1 {
            let unknown = await #expect(throws: Migrator.Failure.self) {
                _ = try await Migrator(configuration: database.configuration, migrations: older).migrate()
            }
            #expect(unknown?.description.contains("does not carry") == true)
        }
        try await database.drop()
    }

    @Test func embeddedMigrationsMatchTheSqlFolder() throws {
        // The binaries carry sql/ as generated Swift; this catches a forgotten
        // deploy/dev/embed-migrations.sh after editing or adding a file.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("sql")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.range(of: #"^\d{4}_.*\.sql$"#, options: .regularExpression) != nil }.sorted()
        #expect(files == Migration.all.map(\.name), "run deploy/dev/embed-migrations.sh")
        for migration in Migration.all {
            let text = try String(contentsOf: folder.appendingPathComponent(migration.name), encoding: .utf8)
            #expect(Migration(name: migration.name, sql: text).checksum == migration.checksum,
                    "\(migration.name) differs from its embedded copy: run deploy/dev/embed-migrations.sh")
        }
        let bootstrap = try String(contentsOf: folder.appendingPathComponent("bootstrap.sql"), encoding: .utf8)
        #expect(bootstrap.trimmingCharacters(in: .newlines) == Migration.bootstrap.trimmingCharacters(in: .newlines))
    }

    @Test func embeddedFunctionFilesMatchTheFunctionsFolder() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("sql/functions")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files == FunctionFile.all.map(\.name), "run deploy/dev/embed-migrations.sh")
        for file in FunctionFile.all {
            let text = try String(contentsOf: folder.appendingPathComponent(file.name), encoding: .utf8)
            #expect(FunctionFile(name: file.name, sql: text).checksum == file.checksum,
                    "functions/\(file.name) differs from its embedded copy: run deploy/dev/embed-migrations.sh")
        }
    }

    /// Each function a file defines, with the body between its dollar quotes.
    static func definitions(_ file: FunctionFile) -> [(name: String, body: String)] {
        let pattern = #"FUNCTION public\.(\w+)\([^$]*?AS \$function\$(.*?)\$function\$"#
        let regex = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        let text = file.sql as NSString
        return regex.matches(in: file.sql, range: NSRange(location: 0, length: text.length)).map {
            (text.substring(with: $0.range(at: 1)), text.substring(with: $0.range(at: 2)))
        }
    }

    @Test func theDeployedTextOfEveryFileFunctionIsItsFiles() async throws {
        let database = try await TestDatabase.migrated("function_text")
        let connection = try await database.connect()
        var seen = 0
        for file in FunctionFile.all {
            let definitions = Self.definitions(file)
            #expect(!definitions.isEmpty, "functions/\(file.name) defines no function the test can read")
            for (name, body) in definitions {
                let deployed = try await connection.query("""
                    SELECT prosrc FROM pg_proc WHERE proname = \(name) AND pronamespace = 'public'::regnamespace
                    """).map { try $0.decode(String.self, at: 0) }
                #expect(deployed == [body], "\(name) differs from functions/\(file.name)")
                seen += 1
            }
        }
        #expect(seen >= 16)
        let recorded = try await connection.query("SELECT name, checksum FROM schema_functions ORDER BY name").decode((String, String).self)
        #expect(recorded.map(\.0) == FunctionFile.all.map(\.name))
        #expect(recorded.map(\.1) == FunctionFile.all.map(\.checksum))
        await connection.close()
        try await database.drop()
    }

    @Test func aChangedFunctionFileIsAppliedAgainAndOneThatBreaksTheRecipeIsNot() async throws {
        let database = try await TestDatabase.migrated("function_change")
        let migrate = database.configuration(as: .migrate)
        let ratio = try #require(FunctionFile.all.first { $0.name == "report_ratio.sql" })
        func applied() async throws -> [String: Date] {
            let connection = try await database.connect()
            let rows = try await connection.query("SELECT name, applied_at FROM schema_functions").decode((String, Date).self)
            await connection.close()
            return Dictionary(uniqueKeysWithValues: rows)
        }
        let before = try await applied()
        // Unchanged: nothing is applied again.
        _ = try await Migrator(configuration: migrate).migrate()
        #expect(try await applied() == before)
        // Changed: applied, the rest left alone.
        let edited = FunctionFile(name: ratio.name, sql: ratio.sql.replacingOccurrences(of: "round(", with: "round(0 + "))
        let files = FunctionFile.all.map { $0.name == ratio.name ? edited : $0 }
        _ = try await Migrator(configuration: migrate, functions: files).migrate()
        let after = try await applied()
        #expect(after[ratio.name]! > before[ratio.name]!)
        #expect(after.filter { $0.key != ratio.name } == before.filter { $0.key != ratio.name })
        let connection = try await database.connect()
        #expect(try await connection.query("SELECT prosrc FROM pg_proc WHERE proname = 'report_ratio'").scalar(String.self)?
            .contains("round(0 + ") == true)
        // A file that breaks the tenancy recipe is refused with every other file of its run.
        let definer = FunctionFile(name: ratio.name, sql: ratio.sql.replacingOccurrences(of: " IMMUTABLE", with: " IMMUTABLE SECURITY DEFINER"))
        let unsafe = FunctionFile.all.map { $0.name == ratio.name ? definer : $0 }
        let refused = await #expect(throws: Migrator.Failure.self) {
            _ = try await Migrator(configuration: migrate, functions: unsafe).migrate()
        }
        #expect(refused?.description.contains("function report_ratio is SECURITY DEFINER") == true, "\(refused?.description ?? "")")
        #expect(try await connection.query("SELECT prosecdef FROM pg_proc WHERE proname = 'report_ratio'").scalar(Bool.self) == false)
        await connection.close()
        try await database.drop()
    }

    @Test func theLandedListNamesEveryLandedMigrationWithItsChecksum() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let landed = try String(contentsOf: root.appendingPathComponent("sql/landed.txt"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
            .map { $0.split(separator: " ").map(String.init) }
        #expect(landed.count >= 10)
        for entry in landed {
            let migration = try #require(Migration.all.first { $0.name == entry[0] }, "\(entry[0]) is not carried")
            #expect(migration.checksum == entry[1], "\(entry[0]) was edited after it landed")
        }
    }

    @Test func theAcceptedEarlierTextsOf0006_0010And0013AreTheOnesInTheHistory() throws {
        // The accepted checksums are computed here from git's copies, the way the
        // migrator computes them; a checkout without history cannot check this.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for (commit, name) in [("f148bdb", "0006_worker_indexes.sql"), ("511f739", "0006_worker_indexes.sql"),
                               ("1122a39", "0010_bounced_promises.sql"),
                               ("0ba6ab5", "0013_payment_applications_checked_per_statement.sql")] {
            let git = Process()
            git.executableURL = URL(fileURLWithPath: "/usr/bin/git")
            git.arguments = ["-C", root.path, "show", "\(commit):sql/\(name)"]
            let out = Pipe()
            git.standardOutput = out
            git.standardError = FileHandle.nullDevice
            try git.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            git.waitUntilExit()
            try #require(git.terminationStatus == 0, "git show \(commit):sql/\(name)")
            let old = Migration(name: name, sql: text)
            #expect(old.checksum != Migration.all.first { $0.name == name }?.checksum)
            #expect(Migration.all.first { $0.name == name }?.matches(recorded: old.checksum) == true, "\(commit) \(name)")
        }
    }

    @Test func aDatabaseMigratedWithTheEarlier0010MovesOnAndEndsLikeANewOne() async throws {
        let database = try await TestDatabase.migrated("earlier0010")
        let connection = try await database.connect()
        // As a database migrated at 1122a39 stood: 0010's earlier text recorded, no
        // worker_break_bounced_promises, no function files yet.
        try await connection.simpleQuery("""
            UPDATE schema_migrations SET checksum = 'e6c1569d722b0a93126eaf607cc9899f54132f2fafc91a3928d5f459a4cec6ff'
            WHERE name = '0010_bounced_promises.sql';
            DROP FUNCTION worker_break_bounced_promises(uuid, date, int, text);
            DELETE FROM schema_functions;
            """)
        _ = try await Migrator(configuration: database.configuration(as: .migrate)).migrate()
        #expect(try await Migrator(configuration: database.configuration(as: .migrate)).status().allSatisfy { $0.state == .applied })
        let restored = try await connection.query("""
            SELECT count(*) FROM pg_proc WHERE proname = 'worker_break_bounced_promises'
            """).scalar(Int.self)
        #expect(restored == 1)
        // Any other text is still an edit that stops the run.
        try await connection.simpleQuery("UPDATE schema_migrations SET checksum = 'feed' WHERE name = '0010_bounced_promises.sql'")
        let stopped = await #expect(throws: Migrator.Failure.self) {
            _ = try await Migrator(configuration: database.configuration(as: .migrate)).migrate()
        }
        #expect(stopped?.description.contains("0010_bounced_promises.sql was edited after it was applied") == true)
        await connection.close()
        try await database.drop()
    }

    @Test func a0020DatabasesAssignedCollectorsBecomeCollectorsOfTheirOwnTenant() async throws {
        let database = try await TestDatabase.create("migrate_0022")
        let before = Migration.all.filter { $0.name < "0022" }
        _ = try await Migrator(configuration: database.configuration, migrations: before, functions: []).migrate()
        let connection = try await database.connect()  // the superuser: row-level security does not filter it
        defer { Task { await connection.close() } }
        try await connection.simpleQuery("""
            INSERT INTO tenants (id, slug, name, default_currency, time_zone)
            VALUES ('00000000-0000-0000-0000-0000000000a1', 'lender-a', 'Lender A', 'USD', 'UTC'),
                   ('00000000-0000-0000-0000-0000000000b1', 'lender-b', 'Lender B', 'USD', 'UTC');
            INSERT INTO clients (tenant_id, ref, name, assigned_collector)
            VALUES ('00000000-0000-0000-0000-0000000000a1', 'C1', 'Client', 'dana'),
                   ('00000000-0000-0000-0000-0000000000a1', 'C2', 'Client', 'dana'),
                   ('00000000-0000-0000-0000-0000000000a1', 'C3', 'Client', 'lee@lender.test'),
                   ('00000000-0000-0000-0000-0000000000a1', 'C4', 'Client', NULL),
                   ('00000000-0000-0000-0000-0000000000b1', 'C1', 'Client', 'dana');
            """)
        _ = try await Migrator(configuration: database.configuration).migrate()
        let collectors = try await connection.query("""
            SELECT t.slug || ':' || k.handle || ':' || k.display_name FROM collectors k JOIN tenants t ON t.id = k.tenant_id
            ORDER BY 1
            """).map { try $0.decode(String.self, at: 0) }
        #expect(collectors == ["lender-a:dana:dana", "lender-a:lee@lender.test:lee@lender.test", "lender-b:dana:dana"])
        // From now on an assignment names a collector of the client's own tenant.
        let refused = await #expect(throws: PostgresError.self) {
            try await connection.simpleQuery("""
                UPDATE clients SET assigned_collector = 'lee@lender.test'
                WHERE tenant_id = '00000000-0000-0000-0000-0000000000b1'
                """)
        }
        #expect(refused?.constraint == "clients_assigned_collector_fkey")
    }

    @Test func a0013DatabasesReminderDaysAndQueuedRemindersBecomeVersionOneAndItsMessages() async throws {
        let database = try await TestDatabase.create("migrate_0014")
        // As a database stood before 0014: its migrations, none of today's function files.
        let before = Migration.all.filter { $0.name < "0014" }
        _ = try await Migrator(configuration: database.configuration, migrations: before, functions: []).migrate()
        let connection = try await database.connect()  // the superuser: row-level security does not filter it
        try await connection.simpleQuery("""
            INSERT INTO tenants (id, slug, name, default_currency, time_zone, reminder_offsets)
            VALUES ('00000000-0000-0000-0000-0000000000a1', 'old-lender', 'Old Lender', 'USD', 'America/Chicago', '{-3,1}');
            INSERT INTO clients (tenant_id, id, ref, name, email)
            VALUES ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000c1', 'C1', 'Client', 'ap@c1.example');
            INSERT INTO invoices (tenant_id, id, client_id, number, currency, amount_minor, issued_on, due_on)
            VALUES ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000e1',
                    '00000000-0000-0000-0000-0000000000c1', 'INV-1', 'USD', 10000, '2024-01-01', '2024-01-31'),
                   ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000e2',
                    '00000000-0000-0000-0000-0000000000c1', 'INV-2', 'USD', 5000, '2024-01-01', '2024-02-04');
            INSERT INTO reminders (tenant_id, invoice_id, offset_days, client_id, scheduled_on, channel, currency, balance_minor)
            VALUES ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000e1', 1,
                    '00000000-0000-0000-0000-0000000000c1', '2024-02-01', 'email', 'USD', 9000),
                   ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000e2', -3,
                    '00000000-0000-0000-0000-0000000000c1', '2024-02-01', 'email', 'USD', 5000);
            INSERT INTO tenant_days (tenant_id, job, as_of, duration_ms, rows_written)
            VALUES ('00000000-0000-0000-0000-0000000000a1', 'daily', '2024-01-31', 1, 1),
                   ('00000000-0000-0000-0000-0000000000a1', 'daily', '2024-02-01', 1, 1);
            """)
        let applied = try await Migrator(configuration: database.configuration).migrate()
        #expect(applied.map(\.name) == Migration.all.filter { $0.name >= "0014" }.map(\.name))
        #expect(try await connection.query("SELECT to_regclass('public.reminders') IS NULL").scalar(Bool.self) == true)
        let service = CollectionsDatabase(configuration: database.configuration(as: .admin))
        let tenant = try await TenantRegistry(database: service).find("old-lender")
        let policy = try await DunningPolicies(database: service, tenant: tenant.id).current()
        #expect(policy.version == 1)
        #expect(policy.steps == DunningStep.reminders(offsets: [-3, 1]))
        // The day's two reminders are one message to the client, listing both
        // invoices, as they were queued (9,000 was INV-1's balance then).
        let plan = try await DunningPlans(database: service, tenant: tenant).plan(on: CalendarDate("2024-02-01")!)
        #expect(plan.decided)
        #expect(plan.messages.count == 1)
        #expect(plan.messages.first?.invoices == ["INV-1", "INV-2"])
        #expect(plan.messages.first?.step == "1 day past due")
        #expect(plan.messages.first?.amountMinor == 14_000)
        #expect(plan.messages.first?.address == "ap@c1.example")
        let reminders = try await Reminders(database: service, tenant: tenant.id).scheduled(on: CalendarDate("2024-02-01")!)
        #expect(reminders.reminders.map(\.timing) == ["1 day past due", "3 days before due"])
        await service.close()
        await connection.close()
        try await database.drop()
    }
}
