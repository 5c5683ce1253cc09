using System.Net;
using System.Net.Sockets;

namespace TreasuryManager.Testing;

/// <summary>
/// A loopback TCP proxy for fault tests of any protocol (PostgreSQL, JSON-RPC over HTTP): it accepts on 127.0.0.1 (a
/// free port) and forwards each connection's bytes both ways to <c>target</c>, unchanged. <see cref="Cut"/> drops every
/// open connection and refuses new ones (a process or host gone); <see cref="Partition"/> keeps the connections open but
/// holds every byte in both directions, so clients wait on silence as behind a dead network (TCP would retransmit:
/// the held bytes flow on <see cref="Restore"/>); <see cref="Restore"/> ends either. Dispose to stop it.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly HashSet<TcpClient> _open = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _disposed = new();
    private TcpListener? _listener;
    private TaskCompletionSource _flowing = NewOpenGate();

    private TcpFaultProxy(string targetHost, int targetPort, int port)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        Port = port;
    }

    /// <summary>Starts a proxy to <paramref name="targetHost"/>:<paramref name="targetPort"/> on a free loopback port.</summary>
    public static TcpFaultProxy Start(string targetHost, int targetPort)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var proxy = new TcpFaultProxy(targetHost, targetPort, ((IPEndPoint)listener.LocalEndpoint).Port);
        proxy.Listen(listener);
        return proxy;
    }

    /// <summary>The loopback port clients connect to instead of the target's.</summary>
    public int Port { get; }

    /// <summary>Connections forwarded since the start (each accepted client).</summary>
    public int Connections { get; private set; }

    /// <summary>Drops every open connection and refuses new ones, until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        TcpListener? listener;
        TcpClient[] open;
        lock (_lock)
        {
            listener = _listener;
            _listener = null;
            open = [.. _open];
            _open.Clear();
        }
        listener?.Stop();
        foreach (var client in open) client.Dispose();
    }

    /// <summary>Holds every byte in both directions (connections stay open, new ones are accepted and hang), until <see cref="Restore"/>.</summary>
    public void Partition()
    {
        lock (_lock)
            if (_flowing.Task.IsCompleted) _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Ends a cut (listens on the same port again) or a partition (the held bytes flow).</summary>
    public void Restore()
    {
        TaskCompletionSource gate;
        bool listening;
        lock (_lock)
        {
            gate = _flowing;
            listening = _listener is not null;
        }
        gate.TrySetResult();
        if (listening) return;
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        Listen(listener);
    }

    private static TaskCompletionSource NewOpenGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    private void Listen(TcpListener listener)
    {
        lock (_lock) _listener = listener;
        _ = Task.Run(() => AcceptLoopAsync(listener));
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_disposed.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_disposed.Token);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return; // stopped (cut or disposed)
            }
            _ = Task.Run(() => ForwardAsync(client));
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        var upstream = new TcpClient();
        lock (_lock)
        {
            _open.Add(client);
            _open.Add(upstream);
            Connections++;
        }
        try
        {
            await upstream.ConnectAsync(_targetHost, _targetPort, _disposed.Token);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
            var up = PumpAsync(client.GetStream(), upstream.GetStream(), done.Token);
            var down = PumpAsync(upstream.GetStream(), client.GetStream(), done.Token);
            await Task.WhenAny(up, down);
            await done.CancelAsync();
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
        }
        finally
        {
            lock (_lock)
            {
                _open.Remove(client);
                _open.Remove(upstream);
            }
            client.Dispose();
            upstream.Dispose();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, ct);
                if (read == 0) return;
                Task gate;
                lock (_lock) gate = _flowing.Task;
                await gate.WaitAsync(ct); // a partition holds the bytes here
                await to.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        lock (_lock) _flowing.TrySetResult(); // held pumps see the cancellation and end
        Cut();
    }
}
