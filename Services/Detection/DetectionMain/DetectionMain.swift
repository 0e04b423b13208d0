import Detection
import ServiceKit

@main
enum DetectionMain {
    static func main() async {
        await ServiceMain.run(name: "detection", defaultPort: DetectionBuilder.defaultPort, build: DetectionBuilder.buildApplication)
    }
}
