import Foundation
@testable import Postgres
import Testing

/// The tenant reaches the server as a literal in `SET LOCAL` (a setting cannot
/// be a parameter), so only a UUID's own text may go there, under a name that is
/// a custom setting's.
@Suite struct SetLocalTests {
    @Test func aTenantIsSetAsItsLowerCaseUUIDLiteral() {
        let tenant = UUID(uuidString: "0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9")!
        #expect(SQL.setLocal("app.tenant_id", to: tenant) == "SET LOCAL app.tenant_id = '0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9'")
    }

    @Test(arguments: ["app.tenant_id", "app.x", "_a._b9"])
    func customSettingNamesAreAccepted(_ name: String) {
        #expect(SQL.isCustomSettingName(name))
    }

    @Test(arguments: ["tenant_id", "App.tenant_id", "app.tenant_id; RESET ROLE", "app..x", "app.x.y", "app.", ".x", "app.9x",
                      "app.tenant-id", "app.tenant_id ", "role"])
    func anythingElseIsRefused(_ name: String) {
        #expect(!SQL.isCustomSettingName(name))
    }
}
