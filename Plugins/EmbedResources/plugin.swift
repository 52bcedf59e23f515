import Foundation
import PackagePlugin

/// Compiles the review app's Templates/ and Assets/ into the module (see embed-resources), so
/// the installed binary carries them and nothing outside it can go missing.
@main
struct EmbedResources: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let directories = ["Templates", "Assets"].map { target.directoryURL.appending(path: $0) }
        // Every file is an input: editing a template re-runs the command.
        var inputs: [URL] = []
        for directory in directories {
            let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
            while let file = walker?.nextObject() as? URL { inputs.append(file) }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedResources.swift")
        return [
            .buildCommand(
                displayName: "Embedding the review app's templates and assets",
                executable: try context.tool(named: "embed-resources").url,
                arguments: [output.path] + directories.map(\.path),
                inputFiles: inputs,
                outputFiles: [output])
        ]
    }
}
