using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TreasuryManager.Ethereum.JsonRpc;

namespace TreasuryManager.DevNode;

/// <summary>Which local development node to run.</summary>
public enum LocalNodeKind
{
    /// <summary>Hardhat Network (`hardhat node`), from the repository's node_modules.</summary>
    Hardhat,
    /// <summary>Foundry's anvil, from the npm package @foundry-rs/anvil-linux-amd64.</summary>
    Anvil,
}

/// <summary>
/// What a fork node copies: the upstream JSON-RPC node, at <see cref="Block"/> (null: the upstream's latest); the fork
/// reports <see cref="ChainId"/> (null: the command's default, 31337 for scripts/node.sh).
/// </summary>
public sealed record ForkSource(Uri Upstream, long? Block = null, long? ChainId = null);

/// <summary>
/// The program that starts a fork node: the repository's scripts/node.sh, or any program taking its options
/// (<c>--port N --fork URL [--fork-block N] [--chain-id N] [--anvil]</c>) that runs the node in the foreground as one process.
/// </summary>
public sealed record ForkNodeCommand(string Program, LocalNodeKind Kind = LocalNodeKind.Hardhat)
{
    /// <summary>scripts/node.sh of the repository at <paramref name="repositoryRoot"/>.</summary>
    public static ForkNodeCommand RepositoryScript(string repositoryRoot, LocalNodeKind kind = LocalNodeKind.Hardhat) =>
        new(Path.Combine(repositoryRoot, "scripts", "node.sh"), kind);

    /// <summary>scripts/node.sh's options for a fork of <paramref name="source"/> listening on <paramref name="port"/>.</summary>
    public IReadOnlyList<string> Arguments(int port, ForkSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var args = new List<string> { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--fork", source.Upstream.ToString() };
        if (source.Block is { } block) args.AddRange(["--fork-block", block.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (source.ChainId is { } chainId) args.AddRange(["--chain-id", chainId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (Kind == LocalNodeKind.Anvil) args.Add("--anvil");
        return args;
    }
}

/// <summary>
/// A local Hardhat or anvil node on 127.0.0.1 — fresh, or a fork of another node (<see cref="StartForkAsync"/>) —
/// started as one child process and stopped by its PID (with its process tree) on <see cref="DisposeAsync"/>, or when
/// this process exits.
/// </summary>
public sealed class LocalNode : IAsyncDisposable
{
    /// <summary>The chain id both nodes use by default.</summary>
    public const long DefaultChainId = 31337;

    /// <summary>The environment variable that picks the node for tests: "anvil" or "hardhat" (default).</summary>
    public const string KindVariable = "TREASURY_TEST_NODE";

    private readonly Process _process;
    private readonly Queue<string> _recentOutput = new();
    private int _stopped;

    private LocalNode(LocalNodeKind kind, int port, Process process, ForkSource? fork)
    {
        Kind = kind;
        Fork = fork;
        Port = port;
        _process = process;
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public LocalNodeKind Kind { get; }
    public int Port { get; }
    public Uri Endpoint { get; }
    public int ProcessId => _process.Id;

    /// <summary>What this node is a fork of; null for a fresh chain.</summary>
    public ForkSource? Fork { get; }

    /// <summary>The node kind named by <see cref="KindVariable"/> (hardhat when unset).</summary>
    public static LocalNodeKind KindFromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(KindVariable);
        return value?.Trim().ToLowerInvariant() switch
        {
            null or "" or "hardhat" => LocalNodeKind.Hardhat,
            "anvil" => LocalNodeKind.Anvil,
            _ => throw new ArgumentException($"{KindVariable}='{value}' is not a node kind; use 'hardhat' or 'anvil'."),
        };
    }

    /// <summary>The repository root: the nearest folder at or above <paramref name="start"/> holding hardhat.config.js.</summary>
    public static string FindRepositoryRoot(string? start = null)
    {
        var dir = new DirectoryInfo(start ?? AppContext.BaseDirectory);
        for (; dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "hardhat.config.js"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No hardhat.config.js at or above {start ?? AppContext.BaseDirectory}; run from inside the TreasuryManager checkout.");
    }

    /// <summary>Starts a node on a free port (or <paramref name="port"/>) and waits until it answers eth_chainId.</summary>
    public static async Task<LocalNode> StartAsync(LocalNodeKind kind, string? repositoryRoot = null, int port = 0, TimeSpan? readyTimeout = null, CancellationToken ct = default)
    {
        var root = repositoryRoot ?? FindRepositoryRoot();
        var chosenPort = port == 0 ? FreePort() : port;
        return await StartProcessAsync(kind, chosenPort, StartInfo(kind, root, chosenPort), fork: null, readyTimeout ?? TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a fork of <paramref name="source"/> with <paramref name="command"/> on a free port (or <paramref name="port"/>)
    /// and waits until it answers eth_chainId. What is sent to the fork never reaches the upstream.
    /// </summary>
    public static async Task<LocalNode> StartForkAsync(ForkNodeCommand command, ForkSource source, int port = 0, TimeSpan? readyTimeout = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(source);
        if (!File.Exists(command.Program))
            throw new FileNotFoundException($"The fork node's command {command.Program} does not exist.", command.Program);
        var chosenPort = port == 0 ? FreePort() : port;
        var info = new ProcessStartInfo(command.Program);
        foreach (var argument in command.Arguments(chosenPort, source)) info.ArgumentList.Add(argument);
        info.WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(command.Program))!;
        Redirect(info);
        return await StartProcessAsync(command.Kind, chosenPort, info, source, readyTimeout ?? TimeSpan.FromSeconds(120), ct).ConfigureAwait(false);
    }

    private static async Task<LocalNode> StartProcessAsync(LocalNodeKind kind, int chosenPort, ProcessStartInfo start, ForkSource? fork, TimeSpan readyTimeout, CancellationToken ct)
    {
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        if (!process.Start())
            throw new InvalidOperationException($"Could not start {kind} node ({start.FileName}).");
        var node = new LocalNode(kind, chosenPort, process, fork);
        process.OutputDataReceived += (_, e) => node.Remember(e.Data);
        process.ErrorDataReceived += (_, e) => node.Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await node.WaitUntilReadyAsync(readyTimeout, ct).ConfigureAwait(false);
            return node;
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static ProcessStartInfo StartInfo(LocalNodeKind kind, string root, int port)
    {
        ProcessStartInfo info;
        if (kind == LocalNodeKind.Hardhat)
        {
            var bootstrap = Path.Combine(root, "node_modules", "hardhat", "internal", "cli", "bootstrap.js");
            if (!File.Exists(bootstrap))
                throw new FileNotFoundException($"Hardhat is not installed at {bootstrap}; run `npm ci` in {root} first.", bootstrap);
            info = new ProcessStartInfo("node") { ArgumentList = { bootstrap, "node", "--hostname", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        }
        else
        {
            var anvil = Path.Combine(root, "node_modules", "@foundry-rs", "anvil-linux-amd64", "bin", "anvil");
            if (!File.Exists(anvil))
                throw new FileNotFoundException($"anvil is not installed at {anvil}; run `npm ci` in {root} first.", anvil);
            info = new ProcessStartInfo(anvil) { ArgumentList = { "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--chain-id", DefaultChainId.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        }
        info.WorkingDirectory = root;
        Redirect(info);
        return info;
    }

    private static void Redirect(ProcessStartInfo info)
    {
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var rpc = new RpcClient(new RpcClientOptions { Endpoint = Endpoint, Timeout = TimeSpan.FromSeconds(2), ReadRetries = 0 });
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (_process.HasExited)
                throw new InvalidOperationException($"The {Kind} node{(Fork is null ? "" : $" forking {Fork.Upstream}")} exited with code {_process.ExitCode} before it was ready. Its last output:\n{RecentOutput}");
            try
            {
                await rpc.CallAsync("eth_chainId", ct).ConfigureAwait(false);
                return;
            }
            catch (RpcException) when (stopwatch.Elapsed < timeout)
            {
                await Task.Delay(50, ct).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                throw new TimeoutException($"The {Kind} node at {Endpoint} did not answer eth_chainId within {timeout.TotalSeconds:0} s. Its last output:\n{RecentOutput}", e);
            }
        }
    }

    /// <summary>The node's last lines of output, for error messages.</summary>
    public string RecentOutput
    {
        get { lock (_recentOutput) return string.Join('\n', _recentOutput); }
    }

    private void Remember(string? line)
    {
        if (line is null) return;
        lock (_recentOutput)
        {
            _recentOutput.Enqueue(line);
            while (_recentOutput.Count > 40) _recentOutput.Dequeue();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void OnProcessExit(object? sender, EventArgs e) => Stop();

    private void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }
}
