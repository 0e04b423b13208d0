import FuzzDriver
import FuzzTargets

@main enum FuzzIngestHandlers {
    static func main() { FuzzDriver.main(.ingestHandlers) }
}
