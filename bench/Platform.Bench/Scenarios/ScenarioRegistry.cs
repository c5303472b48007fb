using System.Reflection;

namespace Platform.Bench.Scenarios;

/// <summary>
/// The scenarios the bench knows: every concrete <see cref="IScenario"/> with a public parameterless constructor in
/// this assembly (found once, by reflection), plus any added with <see cref="Register"/>. Names are case-insensitive
/// and unique.
/// </summary>
public static class ScenarioRegistry
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Entry> Entries = Discover();

    /// <summary>Name, description and factory of every registered scenario, sorted by name.</summary>
    public static IReadOnlyList<ScenarioInfo> All
    {
        get
        {
            lock (Gate)
            {
                return [.. Entries.Values.Select(e => e.Info).OrderBy(i => i.Name, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Adds a scenario made by <paramref name="factory"/> (for scenarios needing constructor arguments).</summary>
    public static void Register(string name, string description, Func<IScenario> factory)
    {
        lock (Gate)
        {
            if (!Entries.TryAdd(name, new Entry(new ScenarioInfo(name, description), factory)))
            {
                throw new InvalidOperationException($"A scenario named '{name}' is already registered.");
            }
        }
    }

    public static bool Contains(string name)
    {
        lock (Gate)
        {
            return Entries.ContainsKey(name);
        }
    }

    /// <summary>A new instance of the scenario called <paramref name="name"/>; a <see cref="BenchException"/> listing the known ones otherwise.</summary>
    public static IScenario Create(string name)
    {
        Entry? entry;
        lock (Gate)
        {
            Entries.TryGetValue(name, out entry);
        }

        return entry?.Factory() ?? throw new BenchException(
            $"Unknown scenario '{name}'. Known scenarios: {string.Join(", ", All.Select(i => i.Name))}.");
    }

    private static Dictionary<string, Entry> Discover()
    {
        var entries = new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase);
        var types = typeof(ScenarioRegistry).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false }
                && typeof(IScenario).IsAssignableFrom(t)
                && t.GetConstructor(BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes) is not null);
        foreach (var type in types)
        {
            var factory = () => (IScenario)Activator.CreateInstance(type)!;
            var sample = factory();
            if (!entries.TryAdd(sample.Name, new Entry(new ScenarioInfo(sample.Name, sample.Description), factory)))
            {
                throw new InvalidOperationException($"Two scenarios are named '{sample.Name}' ({type.FullName} and {entries[sample.Name].Factory().GetType().FullName}).");
            }
        }

        return entries;
    }

    private sealed record Entry(ScenarioInfo Info, Func<IScenario> Factory);
}

/// <summary>A registered scenario's name and description.</summary>
public sealed record ScenarioInfo(string Name, string Description);
