using System.Reflection;
using System.Xml.Linq;

namespace Platform.Hosting;

/// <summary>Where the repository, the state directory and the built projects are.</summary>
public static class RepositoryLayout
{
    public const string SolutionFile = "Platform.sln";

    /// <summary>The configuration (Debug/Release) this assembly was built with; projects are run from the same build.</summary>
    public static string BuildConfiguration { get; } =
        typeof(RepositoryLayout).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } c ? c : "Debug";

    /// <summary>The directory holding Platform.sln, walking up from the application's base directory, then from the current directory.</summary>
    public static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException($"{SolutionFile} not found above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}.");
    }

    /// <summary><c>&lt;repo&gt;/.apphost</c>.</summary>
    public static string DefaultStateDirectory(string? repositoryRoot = null) => Path.Combine(repositoryRoot ?? FindRoot(), ".apphost");

    /// <summary><c>&lt;project dir&gt;/bin/&lt;configuration&gt;/&lt;tfm&gt;/&lt;AssemblyName&gt;.dll</c>, reading AssemblyName/TargetFramework from the .csproj when set.</summary>
    public static string ProjectAssemblyPath(string projectFile, string configuration)
    {
        var name = Path.GetFileNameWithoutExtension(projectFile);
        var framework = "net10.0";
        if (File.Exists(projectFile))
        {
            var properties = XDocument.Load(projectFile).Descendants().Where(e => e.Parent?.Name.LocalName == "PropertyGroup").ToList();
            name = properties.LastOrDefault(e => e.Name.LocalName == "AssemblyName")?.Value.Trim() is { Length: > 0 } n ? n : name;
            framework = properties.LastOrDefault(e => e.Name.LocalName == "TargetFramework")?.Value.Trim() is { Length: > 0 } f ? f : framework;
        }

        return Path.Combine(Path.GetDirectoryName(projectFile)!, "bin", configuration, framework, name + ".dll");
    }
}
