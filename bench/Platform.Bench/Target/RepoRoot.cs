namespace Platform.Bench.Target;

/// <summary>Finds the repository root: the nearest directory upwards holding Platform.sln (or Platform.slnx).</summary>
public static class RepoRoot
{
    private static readonly string[] Markers = ["Platform.sln", "Platform.slnx"];

    public static string? TryFind(params string[] starts)
    {
        foreach (var start in starts)
        {
            var dir = new DirectoryInfo(Path.GetFullPath(start));
            for (var depth = 0; dir is not null && depth < 64; depth++, dir = dir.Parent)
            {
                if (Markers.Any(m => File.Exists(Path.Combine(dir.FullName, m))))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    public static string Find(string? explicitRoot)
    {
        if (explicitRoot is not null)
        {
            return Directory.Exists(explicitRoot)
                ? Path.GetFullPath(explicitRoot)
                : throw new BenchException($"--repo-root '{explicitRoot}' does not exist.");
        }

        return TryFind(Directory.GetCurrentDirectory(), AppContext.BaseDirectory)
            ?? throw new BenchException("Cannot find the repository root (no Platform.sln above the current directory); run from the repo or pass --repo-root.");
    }
}
