import Ingest
import ServiceKit

@main
enum IngestMain {
    static func main() async {
        await ServiceMain.run(name: "ingest", defaultPort: IngestBuilder.defaultPort, build: IngestBuilder.buildApplication)
    }
}
