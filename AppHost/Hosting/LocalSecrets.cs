using System.Security.Cryptography;
using Platform.Hosting.Processes;

namespace Platform.Hosting;

/// <summary>The local JWT signing key: base64 of 32 random bytes in <c>&lt;state&gt;/secrets/signing-key</c> (0600), made once.</summary>
public static class LocalSecrets
{
    public const string Issuer = "platform-local";
    public const string Audience = "platform";

    public static string SigningKeyPath(string stateDirectory) => Path.Combine(Path.GetFullPath(stateDirectory), "secrets", "signing-key");

    public static string GetOrCreateSigningKey(string stateDirectory)
    {
        var path = SigningKeyPath(stateDirectory);
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
