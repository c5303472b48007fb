using System.Net;
using System.Net.Sockets;

namespace Platform.Hosting.Processes;

/// <summary>Free loopback TCP ports; never hands out the same port twice in one process.</summary>
public static class PortAllocator
{
    private static readonly HashSet<int> Given = [];
    private static readonly Lock Gate = new();

    public static int GetFreePort()
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < 100; attempt++)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (Given.Add(port))
                {
                    return port;
                }
            }

            throw new InvalidOperationException("No free loopback port found.");
        }
    }

    /// <summary>True when nothing listens on the loopback port.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
