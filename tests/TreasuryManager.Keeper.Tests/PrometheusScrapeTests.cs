using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using TreasuryManager.DevNode;
using TreasuryManager.Keeper.Hosting;

namespace TreasuryManager.Keeper.Tests;

/// <summary>
/// A real Prometheus (Debian's package, installed by scripts/test-alerts.sh) scrapes the keeper's metrics server
/// (<see cref="KeeperMetrics.StartServer"/>) with ops/prometheus/keeper-rules.yml loaded: a treasury risk breach
/// recorded by the keeper's counter must turn into a firing KeeperTreasuryRiskBreach alert, and the recording rule
/// must see the keeper cycling. Prometheus runs on a free loopback port and is stopped by its PID.
/// </summary>
public sealed class PrometheusScrapeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("keeper-prometheus-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindPrometheus() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "prometheus")).FirstOrDefault(File.Exists);

    [Fact]
    public async Task Prometheus_scraping_the_keeper_fires_the_risk_alert_and_records_cycles()
    {
        var binary = FindPrometheus();
        Assert.True(binary is not null, "prometheus is not installed; run scripts/test-alerts.sh (it installs Debian's prometheus package)");

        var metrics = new KeeperMetrics();
        var metricsPort = FreePort();
        using var server = metrics.StartServer(metricsPort);
        const string token = "0x00000000000000000000000000000000000000b1";
        metrics.RiskBreaches.WithLabels(token).Inc(); // the series exists before the first scrape
        metrics.Cycles.Inc();

        File.Copy(Path.Combine(LocalNode.FindRepositoryRoot(), "ops", "prometheus", "keeper-rules.yml"), Path.Combine(_dir, "keeper-rules.yml"));
        File.WriteAllText(Path.Combine(_dir, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files: [keeper-rules.yml]
            scrape_configs:
              - job_name: treasury-keeper
                static_configs: [{"{"} targets: ["127.0.0.1:{metricsPort}"] {"}"}]
            """);
        var webPort = FreePort();
        using var prometheus = Process.Start(new ProcessStartInfo(binary!)
        {
            ArgumentList =
            {
                $"--config.file={Path.Combine(_dir, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(_dir, "data")}",
                $"--web.listen-address=127.0.0.1:{webPort}", "--log.level=warn",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _dir,
        })!;
        var log = new System.Text.StringBuilder();
        prometheus.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        prometheus.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        prometheus.BeginOutputReadLine();
        prometheus.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webPort}/"), Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow.AddSeconds(90);
            string? alerts = null;
            double? cycleRate = null;
            while (DateTime.UtcNow < deadline && (alerts is null || cycleRate is null))
            {
                if (prometheus.HasExited) Assert.Fail($"prometheus exited ({prometheus.ExitCode}): {log}");
                metrics.RiskBreaches.WithLabels(token).Inc(); // a breach every second cycle, as the keeper would count them
                metrics.Cycles.Inc();
                await Task.Delay(TimeSpan.FromSeconds(1));
                try
                {
                    var firing = await http.GetStringAsync("api/v1/alerts");
                    using (var doc = JsonDocument.Parse(firing))
                        if (doc.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray().Any(a =>
                                a.GetProperty("labels").GetProperty("alertname").GetString() == "KeeperTreasuryRiskBreach"
                                && a.GetProperty("state").GetString() == "firing"))
                            alerts = firing;
                    var query = await http.GetStringAsync("api/v1/query?query=treasury_keeper%3Acycles%3Arate5m");
                    using (var doc = JsonDocument.Parse(query))
                        foreach (var sample in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
                            if (double.TryParse(sample.GetProperty("value")[1].GetString(), System.Globalization.CultureInfo.InvariantCulture, out var rate) && rate > 0)
                                cycleRate = rate;
                }
                catch (HttpRequestException) { } // not listening yet
            }

            Assert.True(alerts is not null, $"KeeperTreasuryRiskBreach did not fire within 90 s; prometheus log: {log}");
            using var result = JsonDocument.Parse(alerts!);
            var alert = result.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray()
                .First(a => a.GetProperty("labels").GetProperty("alertname").GetString() == "KeeperTreasuryRiskBreach");
            Assert.Equal(token, alert.GetProperty("labels").GetProperty("token").GetString());
            Assert.Equal("treasury-keeper", alert.GetProperty("labels").GetProperty("job").GetString());
            Assert.Equal("page", alert.GetProperty("labels").GetProperty("severity").GetString());
            Assert.True(cycleRate > 0, "treasury_keeper:cycles:rate5m never rose above 0");
        }
        finally
        {
            if (!prometheus.HasExited) prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync();
        }
    }
}
