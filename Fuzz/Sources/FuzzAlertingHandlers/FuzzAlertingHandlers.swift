import FuzzDriver
import FuzzTargets

@main enum FuzzAlertingHandlers {
    static func main() { FuzzDriver.main(.alertingHandlers) }
}
