import FuzzDriver
import FuzzTargets

@main enum FuzzMessages {
    static func main() { FuzzDriver.main(.messages) }
}
