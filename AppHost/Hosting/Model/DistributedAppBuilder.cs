namespace Platform.Hosting;

/// <summary>Aspire's <c>IDistributedApplicationBuilder</c>: declare resources, then <see cref="Build"/>.</summary>
public sealed class DistributedAppBuilder
{
    private readonly List<Resource> resources = [];

    private DistributedAppBuilder(DistributedAppOptions options) => Options = options;

    public DistributedAppOptions Options { get; }

    public IReadOnlyList<Resource> Resources => resources;

    public static DistributedAppBuilder Create(DistributedAppOptions? options = null) => new(options ?? new DistributedAppOptions());

    public ResourceBuilder<PostgresServerResource> AddPostgres(string name) => Add(new PostgresServerResource(name));

    public ResourceBuilder<RabbitMqServerResource> AddRabbitMQ(string name) => Add(new RabbitMqServerResource(name));

    public ResourceBuilder<RedisResource> AddRedis(string name) => Add(new RedisResource(name));

    /// <param name="projectPath">The .csproj, relative to the repository root.</param>
    public ResourceBuilder<ProjectResource> AddProject(string name, string projectPath) => Add(new ProjectResource(name, projectPath));

    public DistributedApp Build()
    {
        var selected = Options.Projects;
        if (selected is not null)
        {
            var unknown = selected.Where(p => !resources.Any(r => r is ProjectResource && r.Name.Equals(p, StringComparison.OrdinalIgnoreCase))).ToList();
            if (unknown.Count > 0)
            {
                throw new ArgumentException($"Unknown project(s): {string.Join(", ", unknown)}. Declared: {string.Join(", ", resources.OfType<ProjectResource>().Select(p => p.Name))}.");
            }
        }

        return new DistributedApp(Options, resources);
    }

    internal ResourceBuilder<T> Add<T>(T resource)
        where T : Resource
    {
        if (string.IsNullOrWhiteSpace(resource.Name) || resource.Name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw new ArgumentException($"Invalid resource name '{resource.Name}': letters, digits, '-' and '_' only.");
        }

        if (resources.Any(r => r.Name.Equals(resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException($"A resource named '{resource.Name}' is already declared.");
        }

        resources.Add(resource);
        return new ResourceBuilder<T>(this, resource);
    }
}
