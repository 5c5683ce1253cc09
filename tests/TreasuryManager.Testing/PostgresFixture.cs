using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Npgsql;
using Xunit;

namespace TreasuryManager.Testing;

/// <summary>
/// A real PostgreSQL server per test collection: <c>initdb</c> into a temporary folder (password authentication,
/// user <see cref="User"/>), <c>postgres</c> on a free 127.0.0.1 port, ready once it accepts a connection, and stopped
/// by its PID when the collection ends — pass or fail — with the folder deleted. Tests take a fresh database each
/// with <see cref="CreateDatabaseAsync"/>. The binaries are looked up on the PATH, then in
/// <c>/usr/lib/postgresql/*/bin</c> (where Debian's <c>postgresql</c> package puts them); missing, the error names the
/// package to install. PostgreSQL refuses to run as root, so under root the server runs as the <c>postgres</c> user
/// (which that package creates) through <c>setpriv</c>, which keeps the PID.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private Process? _process;
    private readonly StringBuilder _output = new();
    private int _stopped;

    /// <summary>The superuser the tests connect as.</summary>
    public string User => "treasury";

    /// <summary>The superuser's password (random per server; the tests hand it over the way the keeper reads it, in an environment variable).</summary>
    public string Password { get; } = "pw-" + Guid.NewGuid().ToString("N")[..16];

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    /// <summary>The server's process id (the postmaster).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("The PostgreSQL server is not started.");

    /// <summary>The temporary folder holding the data directory and the socket.</summary>
    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "treasury-postgres-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>A connection string to <paramref name="database"/> WITHOUT the password (as the keeper's configuration holds it).</summary>
    public string ConnectionStringWithoutPassword(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = User,
        Database = database,
    }.ConnectionString;

    /// <summary>A connection string to <paramref name="database"/> with the password (for the tests' own checks).</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder(ConnectionStringWithoutPassword(database)) { Password = Password, Pooling = false }.ConnectionString;

    public async Task InitializeAsync()
    {
        var initdb = FindBinary("initdb");
        var postgres = Path.Combine(Path.GetDirectoryName(initdb)!, "postgres");
        if (!File.Exists(postgres)) postgres = FindBinary("postgres");
        Directory.CreateDirectory(Folder);
        var passwordFile = Path.Combine(Folder, "password");
        await File.WriteAllTextAsync(passwordFile, Password + "\n");
        var asRoot = geteuid() == 0;
        if (asRoot) await RunAsync("chown", ["-R", "postgres:postgres", Folder], "chown the server's folder to the postgres user");

        var data = Path.Combine(Folder, "data");
        await RunAsync(initdb, ["-D", data, "-U", User, "--auth=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--no-sync", "--no-instructions"],
            "initdb", asRoot);

        Port = FreePort();
        // The tests kill keepers, never the server: fsync off makes the server's commits cheap without weakening what is tested.
        var start = StartInfo(postgres, ["-D", data, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-h", Host, "-k", Folder,
            "-c", "fsync=off", "-c", "max_connections=200"], asRoot);
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        if (!_process.Start()) throw new InvalidOperationException($"Could not start PostgreSQL ({start.FileName}).");
        _process.OutputDataReceived += (_, e) => Remember(e.Data);
        _process.ErrorDataReceived += (_, e) => Remember(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"PostgreSQL exited with code {_process.ExitCode} while starting on port {Port}:\n{Output()}");
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Creates an empty database with a fresh name and returns the name.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..20];
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
        await command.ExecuteNonQueryAsync();
        return name;
    }

    /// <summary>
    /// Finds a PostgreSQL binary on the PATH or in /usr/lib/postgresql/*/bin (the newest version first); absent, the error
    /// names the binary and the Debian package.
    /// </summary>
    public static string FindBinary(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        const string debian = "/usr/lib/postgresql";
        if (Directory.Exists(debian))
            foreach (var version in Directory.GetDirectories(debian).OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            {
                var candidate = Path.Combine(version, "bin", name);
                if (File.Exists(candidate)) return candidate;
            }
        throw new FileNotFoundException(
            $"PostgreSQL's {name} is neither on the PATH nor in {debian}/*/bin; install the Debian package postgresql " +
            "(sudo apt-get install -y postgresql — scripts/test.sh does it when run as root) and run the tests again.", name);
    }

    private static ProcessStartInfo StartInfo(string file, IEnumerable<string> arguments, bool asPostgresUser)
    {
        var start = new ProcessStartInfo
        {
            FileName = asPostgresUser ? "setpriv" : file,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgresUser)
            foreach (var a in new[] { "--reuid=postgres", "--regid=postgres", "--init-groups", "--", file }) start.ArgumentList.Add(a);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["LC_ALL"] = "C";
        return start;
    }

    private static async Task RunAsync(string file, IEnumerable<string> arguments, string what, bool asPostgresUser = false)
    {
        var start = StartInfo(file, arguments, asPostgresUser);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file} ({what}).");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{what} failed with exit code {process.ExitCode}{(asPostgresUser ? " (run as the postgres user: it must exist — Debian's postgresql package creates it)" : "")}:\n{await stdout}{await stderr}");
    }

    private void Remember(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            if (_output.Length < 64_000) _output.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_output) return _output.ToString();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void OnProcessExit(object? sender, EventArgs e) => Stop();

    /// <summary>Stops the server by its PID: SIGINT (PostgreSQL's fast shutdown), then SIGKILL of the tree after 10 s.</summary>
    private void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        if (_process is not null)
        {
            try
            {
                if (!_process.HasExited)
                {
                    _ = kill(_process.Id, SigInt);
                    if (!_process.WaitForExit(10_000))
                    {
                        _process.Kill(entireProcessTree: true);
                        _process.WaitForExit(10_000);
                    }
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            _process.Dispose();
        }
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public Task DisposeAsync()
    {
        Stop();
        return Task.CompletedTask;
    }

    private const int SigInt = 2;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc")]
    private static extern uint geteuid();
}
