import Alerting
import ServiceKit

@main
enum AlertingMain {
    static func main() async {
        await ServiceMain.run(name: "alerting", defaultPort: AlertingBuilder.defaultPort, build: AlertingBuilder.buildApplication)
    }
}
