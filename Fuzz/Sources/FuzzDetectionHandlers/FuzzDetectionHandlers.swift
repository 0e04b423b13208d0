import FuzzDriver
import FuzzTargets

@main enum FuzzDetectionHandlers {
    static func main() { FuzzDriver.main(.detectionHandlers) }
}
