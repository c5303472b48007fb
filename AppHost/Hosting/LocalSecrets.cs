using System.Security.Cryptography;
using Platform.Hosting.Processes;

namespace Platform.Hosting;

/// <summary>
/// The local run's secrets, each base64 of 32 random bytes in <c>&lt;state&gt;/secrets/</c> (0600), made once: the JWT
/// signing key, and outside Development the PII keys a deployment takes from its secret store.
/// </summary>
public static class LocalSecrets
{
    public const string Issuer = "platform-local";
    public const string Audience = "platform";

    /// <summary>The key id the PII ciphertexts of a run outside Development carry.</summary>
    public const string PiiKeyId = "local1";

    public static string SigningKeyPath(string stateDirectory) => SecretPath(stateDirectory, "signing-key");

    public static string GetOrCreateSigningKey(string stateDirectory) => GetOrCreate(stateDirectory, "signing-key");

    /// <summary>
    /// What every project gets beyond its endpoints and connection strings. In Development the services migrate at start
    /// and use their fixed local PII keys on their own; in any other environment they would wait for a migration Job and
    /// refuse to start without keys, so the AppHost stands in for both: migrations at start, and PII keys of this state
    /// directory (PII written under one environment cannot be read under the other: give each its own --state-dir).
    /// </summary>
    public static IReadOnlyDictionary<string, string> ProjectSettings(string stateDirectory, string environmentName)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Auth__Issuer"] = Issuer,
            ["Auth__Audience"] = Audience,
            ["Auth__SigningKey"] = GetOrCreateSigningKey(stateDirectory),
        };
        if (!string.Equals(environmentName, "Development", StringComparison.OrdinalIgnoreCase))
        {
            settings["Database__MigrateAtStart"] = "true";
            settings[$"Pii__Keys__{PiiKeyId}"] = GetOrCreate(stateDirectory, "pii-key");
            settings["Pii__ActiveKeyId"] = PiiKeyId;
            settings["Pii__IndexKey"] = GetOrCreate(stateDirectory, "pii-index-key");
        }

        return settings;
    }

    private static string SecretPath(string stateDirectory, string name) => Path.Combine(Path.GetFullPath(stateDirectory), "secrets", name);

    private static string GetOrCreate(string stateDirectory, string name)
    {
        var path = SecretPath(stateDirectory, name);
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        UnixFiles.SetMode(directory, UnixFiles.PrivateDirectory);
        for (var attempt = 0; ; attempt++)
        {
            if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing)
            {
                return existing;
            }

            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            var temp = path + "." + Environment.ProcessId + ".tmp";
            File.WriteAllText(temp, key);
            UnixFiles.SetMode(temp, UnixFiles.Private);
            try
            {
                File.Move(temp, path, overwrite: attempt > 3); // another process may be writing it at the same time
                return key;
            }
            catch (IOException) when (attempt <= 3)
            {
                File.Delete(temp);
            }
        }
    }
}
