import FuzzDriver
import FuzzTargets

@main enum FuzzFrames {
    static func main() { FuzzDriver.main(.frames) }
}
