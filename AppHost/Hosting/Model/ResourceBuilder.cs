namespace Platform.Hosting;

/// <summary>Aspire's <c>IResourceBuilder&lt;T&gt;</c>: the declared resource plus the application builder, for fluent calls.</summary>
public sealed class ResourceBuilder<T>(DistributedAppBuilder applicationBuilder, T resource)
    where T : Resource
{
    public DistributedAppBuilder ApplicationBuilder { get; } = applicationBuilder;

    public T Resource { get; } = resource;
}

public static class ResourceBuilderExtensions
{
    /// <summary>A database on this PostgreSQL server (created at start if missing); <paramref name="databaseName"/> defaults to the name.</summary>
    public static ResourceBuilder<PostgresDatabaseResource> AddDatabase(
        this ResourceBuilder<PostgresServerResource> builder, string name, string? databaseName = null)
    {
        var database = new PostgresDatabaseResource(name, databaseName ?? name, builder.Resource);
        builder.Resource.Add(database);
        return builder.ApplicationBuilder.Add(database);
    }

    /// <summary>
    /// Injects <c>ConnectionStrings__&lt;name&gt;</c> for a database or server, or <c>services__&lt;name&gt;__grpc__0</c> and
    /// <c>services__&lt;name&gt;__http__0</c> for a project.
    /// </summary>
    public static ResourceBuilder<ProjectResource> WithReference<TSource>(
        this ResourceBuilder<ProjectResource> builder, ResourceBuilder<TSource> source)
        where TSource : Resource
    {
        if (source.Resource is not (IResourceWithConnectionString or ProjectResource))
        {
            throw new ArgumentException($"{source.Resource} cannot be referenced.", nameof(source));
        }

        if (ReferenceEquals(source.Resource, builder.Resource))
        {
            throw new ArgumentException($"{builder.Resource} cannot reference itself.", nameof(source));
        }

        builder.Resource.AddReference(source.Resource);
        return builder;
    }

    /// <summary>The project starts only once <paramref name="dependency"/> is healthy.</summary>
    public static ResourceBuilder<ProjectResource> WaitFor<TDependency>(
        this ResourceBuilder<ProjectResource> builder, ResourceBuilder<TDependency> dependency)
        where TDependency : Resource
    {
        if (ReferenceEquals(dependency.Resource, builder.Resource))
        {
            throw new ArgumentException($"{builder.Resource} cannot wait for itself.", nameof(dependency));
        }

        builder.Resource.AddWaitFor(dependency.Resource);
        return builder;
    }

    /// <summary>An extra environment variable for the project.</summary>
    public static ResourceBuilder<ProjectResource> WithEnvironment(
        this ResourceBuilder<ProjectResource> builder, string name, string value)
    {
        builder.Resource.Environment[name] = value;
        return builder;
    }
}
