/// How often a payment plan's instalments fall due (`plan_schedule` dates them).
public enum PlanFrequency: String, Sendable, Codable, CaseIterable {
    case week
    case twoWeeks = "2weeks"
    case month
}
