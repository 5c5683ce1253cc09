using System.Net.Sockets;

namespace TreasuryManager.Keeper.Tests;

/// <summary>Forwards every request to the node except those whose JSON-RPC body contains <paramref name="marker"/>
/// (a method name, a call's selector), which meet a refused connection, as from a node that went away.</summary>
internal sealed class RefusesConnectionHandler(string marker) : DelegatingHandler(new SocketsHttpHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        if (body.Contains(marker, StringComparison.OrdinalIgnoreCase))
            throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:1)", new SocketException((int)SocketError.ConnectionRefused));
        return await base.SendAsync(request, cancellationToken);
    }
}
