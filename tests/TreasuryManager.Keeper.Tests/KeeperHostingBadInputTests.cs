using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Hosting;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Keeper.Tests;

/// <summary>What `keeper run` sets up before its first cycle refuses a bad setting naming it: a metrics port another
/// process holds (Metrics:Port), a log file whose folder cannot be made (Log:File).</summary>
public sealed class KeeperHostingBadInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("treasury-hosting-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_metrics_port_in_use_names_Metrics_Port_and_the_fix()
    {
        var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        try
        {
            var port = ((IPEndPoint)holder.LocalEndpoint).Port;
            var e = Assert.Throws<SettingsException>(() => new KeeperMetrics().StartServer(port));
            Assert.Equal("Metrics:Port", e.Path);
            Assert.Contains($"cannot be served on 127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
            Assert.Contains("choose a free port, or 0 to serve none", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            holder.Stop();
        }
    }

    [Fact]
    public void A_log_file_whose_folder_cannot_be_made_names_Log_File()
    {
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "");
        var log = new LogSettings { File = Path.Combine(file, "logs", "keeper-.log") }; // a folder under a file
        var e = Assert.Throws<SettingsException>(() => KeeperLogging.Create(new ConfigurationBuilder().Build(), log, TextWriter.Null));
        Assert.Equal("Log:File", e.Path);
        Assert.Contains("cannot be written", e.Message, StringComparison.Ordinal);
        Assert.Contains("choose a writable path", e.Message, StringComparison.Ordinal);
    }
}
