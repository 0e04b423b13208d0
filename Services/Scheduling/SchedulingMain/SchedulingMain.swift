import Scheduling
import ServiceKit

@main
enum SchedulingMain {
    static func main() async {
        await ServiceMain.run(name: "scheduling", defaultPort: SchedulingBuilder.defaultPort, build: SchedulingBuilder.buildApplication)
    }
}
