using Grpc.Core;
using Grpc.Net.Client;

namespace Platform.Bench.Transport;

/// <summary>
/// The one way the bench makes channels, so the baseline and the platform scenarios share transport settings:
/// HTTP/2 cleartext, a SocketsHttpHandler that opens more connections when 100 streams are in flight on one.
/// </summary>
public static class ChannelFactory
{
    public static GrpcChannel Create(Uri address, CallCredentials? credentials = null)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        };
        var options = new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true };
        if (credentials is not null)
        {
            options.Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, credentials);
            options.UnsafeUseInsecureChannelCallCredentials = true;
        }

        return GrpcChannel.ForAddress(address, options);
    }
}
