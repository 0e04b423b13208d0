import FuzzDriver
import FuzzTargets

@main enum FuzzSchedulingHandlers {
    static func main() { FuzzDriver.main(.schedulingHandlers) }
}
