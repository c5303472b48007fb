namespace Platform.Hosting;

/// <summary>A declared resource (Aspire's <c>IResource</c>).</summary>
public abstract class Resource(string name)
{
    public string Name { get; } = name;

    /// <summary>"postgres", "database", "rabbitmq", "redis" or "project".</summary>
    public abstract string Type { get; }

    public override string ToString() => $"{Type} {Name}";
}

/// <summary>A resource others reach through <c>ConnectionStrings__&lt;name&gt;</c>.</summary>
public interface IResourceWithConnectionString
{
    string Name { get; }
}

/// <summary>A server the orchestrator starts from local binaries unless a connection string replaces it.</summary>
public abstract class ServerResource(string name) : Resource(name), IResourceWithConnectionString;

public sealed class PostgresServerResource(string name) : ServerResource(name)
{
    private readonly List<PostgresDatabaseResource> databases = [];

    public override string Type => "postgres";

    public IReadOnlyList<PostgresDatabaseResource> Databases => databases;

    internal void Add(PostgresDatabaseResource database) => databases.Add(database);
}

public sealed class PostgresDatabaseResource(string name, string databaseName, PostgresServerResource parent)
    : Resource(name), IResourceWithConnectionString
{
    public override string Type => "database";

    public string DatabaseName { get; } = databaseName;

    public PostgresServerResource Parent { get; } = parent;
}

public sealed class RabbitMqServerResource(string name) : ServerResource(name)
{
    public override string Type => "rabbitmq";
}

public sealed class RedisResource(string name) : ServerResource(name)
{
    public override string Type => "redis";
}

/// <summary>A .NET project run as <c>dotnet &lt;built dll&gt;</c> with a "grpc" (HTTP/2) and an "http" (HTTP/1.1) endpoint.</summary>
public sealed class ProjectResource(string name, string projectPath) : Resource(name)
{
    private readonly List<Resource> references = [];
    private readonly List<Resource> waitsFor = [];

    public override string Type => "project";

    /// <summary>The .csproj, relative to the repository root (or absolute).</summary>
    public string ProjectPath { get; } = projectPath;

    public IReadOnlyList<Resource> References => references;

    public IReadOnlyList<Resource> WaitsFor => waitsFor;

    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    internal void AddReference(Resource resource)
    {
        if (!references.Contains(resource))
        {
            references.Add(resource);
        }
    }

    internal void AddWaitFor(Resource resource)
    {
        if (!waitsFor.Contains(resource))
        {
            waitsFor.Add(resource);
        }
    }
}
