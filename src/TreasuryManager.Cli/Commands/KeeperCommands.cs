using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Serilog;
using Spectre.Console;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Models.Formatting;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Hosting;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Keeper.Keys;
using TreasuryManager.Strategy.Decisions;
using TreasuryManager.Strategy.Rules;

namespace TreasuryManager.Cli.Commands;

/// <summary>
/// `treasury status`, `treasury rebalance` and `treasury keeper run`: the operator's view of the keeper's decision,
/// a one-off manual rebalance with a dry run first, and the bot itself.
/// </summary>
public static class KeeperCommands
{
    public static Option<string> ConfigOption() => new("--config")
    {
        Description = "The configuration file (written by `treasury init`).",
        DefaultValueFactory = _ => SettingsLoader.DefaultFileName,
    };

    // ------------------------------------------------------------------ status

    public static Command Status(CliConsole io)
    {
        var config = ConfigOption();
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var command = new Command("status", "Each pool's curve, inventory, oracle age and the plan the keeper would make now (nothing is sent). Settings may be overridden: --Section:Key=value.") { config, json };
        AcceptSettingOverrides(command);
        command.SetAction((parse, ct) => CommandSupport.GuardAsync(io, async () =>
        {
            var settings = SettingsLoader.Load(parse.GetValue(config)!, parse.UnmatchedTokens);
            using var runtime = await KeeperRuntime.StartAsync(settings, key: null, new KeeperMetrics(), NullLoggerFactory.Instance,
                readOnly: true, keeperAddress: KeeperAddressOrWarn(settings, io), ct: ct);
            var report = (await runtime.Cycle.RunOnceAsync(act: false, evenIfSameBlock: true, ct: ct))!;
            // a fleet (PostgreSQL journal): which keeper holds each pool, since when, with which fencing token
            var fleet = settings.PostgresJournal is { } postgres ? PostgresJournal.ReadFleet(postgres.ConnectionString(io.GetEnvironmentVariable)) : null;
            if (parse.GetValue(json)) io.Out.WriteLine(ReportJson(report, fleet));
            else
            {
                WriteTable(io, report);
                if (fleet is not null) WriteFleet(io, report, fleet);
            }
            return 0;
        }));
        return command;
    }

    // ------------------------------------------------------------------ rebalance

    public static Command Rebalance(CliConsole io)
    {
        var config = ConfigOption();
        var pool = new Option<string>("--pool") { Description = "The pool: its address or its Name in the configuration.", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show the plan and its gas cost (simulated with eth_call and eth_estimateGas); send nothing." };
        var yes = new Option<bool>("--yes") { Description = "Send without asking for confirmation." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text, asking nothing: to send, add --yes (with --fork: the rehearsal, sent only with --send-after-rehearsal)." };
        var fork = new Option<string?>("--fork")
        {
            Description = "Rehearse first: start a local fork of the configured chain (or of the JSON-RPC URL given) at its latest block with Fork:Command, run the rebalance there (the keeper's key, or its address impersonated), print the outcome, the gas and the pool before and after, stop the fork; only then offer to send the same plan to the real chain.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var sendAfterRehearsal = new Option<bool>("--send-after-rehearsal") { Description = "With --fork: send the rehearsed plan to the real chain without asking, if the rehearsal succeeded and the real chain still calls for the same plan." };
        var command = new Command("rebalance", "One-off manual rebalance of one pool: shows the plan and its gas cost, asks for confirmation unless --yes, sends, waits, prints the outcome; --fork rehearses it on a local fork first. Settings may be overridden: --Section:Key=value.")
        {
            config, pool, dryRun, yes, json, fork, sendAfterRehearsal,
        };
        AcceptSettingOverrides(command);
        command.SetAction((parse, ct) => CommandSupport.GuardAsync(io, async () =>
        {
            // `--fork --Section:Key=value`: --fork takes an optional URL, so the parser hands it the override that follows
            var forkUrl = parse.GetValue(fork);
            var overrides = parse.UnmatchedTokens.ToList();
            if (forkUrl is not null && forkUrl.StartsWith('-'))
            {
                overrides.Insert(0, forkUrl);
                forkUrl = null;
            }
            var settings = SettingsLoader.Load(parse.GetValue(config)!, overrides);
            var target = FindPool(settings, parse.GetValue(pool)!);
            var onlyThat = settings with { Pools = [target] };
            var dry = parse.GetValue(dryRun);
            var asJson = parse.GetValue(json);
            if (parse.GetResult(fork) is not null)
            {
                if (dry) throw CliException.BadInput("--dry-run and --fork do not combine: --fork already sends nothing to the real chain unless you confirm (or pass --send-after-rehearsal)");
                if (parse.GetValue(yes)) throw CliException.BadInput("--yes does not apply to --fork; pass --send-after-rehearsal to send the rehearsed plan without asking");
                return await RebalanceRehearsal.RunAsync(io, settings, target, forkUrl, parse.GetValue(sendAfterRehearsal), asJson, ct);
            }
            if (parse.GetValue(sendAfterRehearsal)) throw CliException.BadInput("--send-after-rehearsal needs --fork (a rehearsal to send after)");
            if (!dry && !parse.GetValue(yes))
            {
                // the question needs a person who sees the plan and can answer: refused before the key, the node or the plan
                // --json writes one JSON object and asks nothing (a question on standard output would break the object,
                // and the plan it asks about is not printed in that mode)
                if (asJson)
                    throw CliException.BadInput("confirmation needed: --json asks nothing; pass --yes to send (see the plan first with --dry-run --json), or --dry-run to only look");
                if (!io.CanPrompt)
                    throw CliException.BadInput("confirmation needed: standard input is not a terminal; pass --yes to send without asking (or --dry-run to only look)");
                if (io.OutputRedirected)
                    throw CliException.BadInput("confirmation needed: standard output is redirected, so the plan and the question would go there and not to you; run it without redirecting, or see the plan with --dry-run and send it with --yes");
            }
            var key = dry ? null : LoadKey(settings, io);
            var progress = new SendProgress(asJson ? io.Error : io.Out, settings);
            using var runtime = await KeeperRuntime.StartAsync(onlyThat, key, new KeeperMetrics(), NullLoggerFactory.Instance,
                readOnly: dry, keeperAddress: dry ? KeeperAddress(settings, io) : null, onPoint: progress.Observe, ct: ct);
            var report = (await runtime.Cycle.RunOnceAsync(act: false, evenIfSameBlock: true, ct: ct))!;
            var decision = report.Decisions.Single();
            if (decision is Hold hold)
            {
                if (asJson) io.Out.WriteLine(ReportJson(report));
                else io.Out.WriteLine($"Nothing to send for {hold.Label}: {hold.Reason} — {hold.Detail}");
                return hold.Reason is HoldReason.InsideBand or HoldReason.BenefitBelowGas or HoldReason.AlreadyAtTarget or HoldReason.Defensive ? 0 : 1; // nothing worth doing is not a failure
            }
            var plan = (Plan)decision;
            if (!asJson) WritePlan(io, plan);
            if (dry)
            {
                if (asJson) io.Out.WriteLine(ReportJson(report));
                else io.Out.WriteLine("Dry run: nothing sent.");
                return 0;
            }
            if (!parse.GetValue(yes))
            {
                io.Out.Write("Send this rebalance? [y/N] ");
                var answer = io.In.ReadLine();
                if (!string.Equals(answer?.Trim(), "y", StringComparison.OrdinalIgnoreCase) && !string.Equals(answer?.Trim(), "yes", StringComparison.OrdinalIgnoreCase))
                {
                    io.Out.WriteLine("Not sent.");
                    return 1;
                }
            }
            progress.Acting = true;
            ExecutionOutcome outcome;
            try
            {
                outcome = await runtime.Cycle.ActAsync(plan, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested && progress.LastSent is { } sent)
            {
                // Ctrl-C while waiting: what went out must not go unsaid
                io.Error.WriteLine($"error: cancelled while waiting for {sent.Hash} (nonce {sent.Nonce}): it was sent and stays in flight in the journal ({settings.Journal}); the keeper's next start with this journal (`treasury keeper run`, or `treasury rebalance` again) settles it before planning anew");
                return TreasuryCli.Failure;
            }
            if (asJson) io.Out.WriteLine(OutcomeJson(plan, outcome));
            else io.Out.WriteLine(Describe(outcome));
            return outcome is ExecutionOutcome.Mined ? 0 : 1;
        }));
        return command;
    }

    // ------------------------------------------------------------------ keeper run

    public static Command Keeper(CliConsole io)
    {
        var config = ConfigOption();
        var run = new Command("run", "Run the keeper bot: one cycle per new block until SIGTERM or Ctrl-C. Logs to the console and to the rolling file Log:File (levels under \"Serilog\"), metrics on 127.0.0.1:Metrics:Port. Settings may be overridden: --Section:Key=value.") { config };
        AcceptSettingOverrides(run);
        run.SetAction((parse, ct) => CommandSupport.GuardAsync(io, async () =>
        {
            var path = parse.GetValue(config)!;
            var configuration = SettingsLoader.Build(path, parse.UnmatchedTokens);
            var settings = SettingsLoader.Bind(configuration, Path.GetDirectoryName(Path.GetFullPath(path))!);
            var key = LoadKey(settings, io);
            // one logger for the host and the keeper: the command line's console and the rolling file of Log
            var logger = KeeperLogging.Create(configuration, settings.Log, io.Out);
            using var loggerFactory = new Serilog.Extensions.Logging.SerilogLoggerFactory(logger, dispose: true);
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddConfiguration(configuration);
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
            builder.Services.AddSerilog(logger, dispose: false);
            builder.Services.AddSingleton(settings);
            builder.Services.AddSingleton(TimeProvider.System);
            var metrics = new KeeperMetrics();
            builder.Services.AddSingleton(metrics);
            using var runtime = await KeeperRuntime.StartAsync(settings, key, metrics, loggerFactory, ct: ct);
            builder.Services.AddSingleton(runtime);
            builder.Services.AddHostedService<KeeperService>();
            using var host = builder.Build();
            using var server = settings.Metrics.Port > 0 ? metrics.StartServer(settings.Metrics.Port) : null;
            if (server is not null) io.Error.WriteLine($"metrics on http://127.0.0.1:{settings.Metrics.Port}/metrics");
            io.Error.WriteLine(LogFileLine(settings.Log, DateTime.Now));
            await host.RunAsync(ct);
            return 0;
        }));
        var keeper = new Command("keeper", "The keeper bot.");
        keeper.Subcommands.Add(run);
        return keeper;
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>
    /// What `rebalance` says while it sends: each broadcast's hash and nonce as the node accepts it, and what the wait is
    /// for (attempts the keeper's start-up recovery rebroadcasts are not this command's and are not announced).
    /// </summary>
    private sealed class SendProgress(TextWriter output, TreasurySettings settings)
    {
        public bool Acting { get; set; }
        public AttemptRecord? LastSent { get; private set; }

        public void Observe(ExecutionPoint point, AttemptRecord attempt)
        {
            if (!Acting || point != ExecutionPoint.Broadcast) return;
            var confirmations = settings.Gas.Confirmations;
            var idleHint = settings.Rpc.ChainId == TreasuryManager.DevNode.LocalNode.DefaultChainId && confirmations > 1
                ? $" — a local node that mines only when it receives a transaction needs {confirmations - 1} more block(s) mined (evm_mine), or set Gas:Confirmations=1"
                : "";
            output.WriteLine(LastSent is null
                ? $"Sent {attempt.Hash} (nonce {attempt.Nonce}); waiting for {confirmations} confirmation(s){idleHint}."
                : $"Replaced by {attempt.Hash} (nonce {attempt.Nonce}, fees raised); waiting for {confirmations} confirmation(s).");
            LastSent = attempt;
        }
    }

    /// <summary>
    /// Lets <paramref name="command"/> take setting overrides (--Section:Key=value, --Section:Key value): the tokens no
    /// option claims reach <see cref="SettingOverrides.Parse"/> through SettingsLoader, which names a bad one.
    /// </summary>
    private static void AcceptSettingOverrides(Command command) => command.TreatUnmatchedTokensAsErrors = false;

    internal static PoolSettings FindPool(TreasurySettings settings, string nameOrAddress)
    {
        var match = settings.Pools.FirstOrDefault(p =>
            string.Equals(p.Name, nameOrAddress, StringComparison.OrdinalIgnoreCase) ||
            (Address.TryParse(nameOrAddress, out var a) && Address.TryParse(p.Address, out var b) && a == b));
        return match ?? throw CliException.BadInput(
            $"unknown pool '{nameOrAddress}'; pass --pool with the Name or Address of a configured pool: {string.Join(", ", settings.Pools.Select(p => p.Name is null ? p.Address : $"{p.Name} ({p.Address})"))}");
    }

    internal static EthKey LoadKey(TreasurySettings settings, CliConsole io) =>
        KeyLoader.Load(settings.Key, io.GetEnvironmentVariable, io.ReadSecret is { } ask ? () => ask("Keystore password: ") : null);

    /// <summary>The keeper's address without its password (<see cref="KeyLoader.AddressWithoutSecret"/>), for simulations; a key
    /// source that gives none stops the command naming it (a simulation from no account would blame the chain: NotKeeper).</summary>
    internal static Address KeeperAddress(TreasurySettings settings, CliConsole io) => KeyLoader.AddressWithoutSecret(settings.Key, io.GetEnvironmentVariable);

    /// <summary>For status, which reads without acting: the keeper's address, or null after a warning naming why (the plans are
    /// then simulated from no account and a rebalance shows as NotKeeper).</summary>
    internal static Address? KeeperAddressOrWarn(TreasurySettings settings, CliConsole io)
    {
        try
        {
            return KeeperAddress(settings, io);
        }
        catch (KeySourceException e)
        {
            io.Error.WriteLine($"warning: {e.Message}. The plans below are simulated without the keeper's address: a rebalance shows as rejected (NotKeeper).");
            return null;
        }
    }

    private static void WriteTable(CliConsole io, CycleReport report)
    {
        var console = io.Tables;
        console.WriteLine($"Block {report.Block}, next base fee {N((double)report.NextBaseFeePerGas / 1e9)} gwei");
        string[] headers = ["pool", "venue", "price (pool / oracle)", "range (low–high)", "fee", "base / quote", "base share", "inventory / band", "feeds (age / heartbeat)", "decision"];
        var rows = new List<string[]>();
        foreach (var d in report.Decisions)
        {
            var feeds = FeedStatuses(report, d.Pool);
            var read = Reading(report, d.Pool);
            var v = d.Inventory;
            var plan = d as Plan;
            var notRead = read.Missing is { } why ? $"? (not read: {why})" : "?";
            // every cell is plain text (not Spectre markup), so "[low, high]" or a label with brackets is shown as it is
            string[] cells =
            [
                d.Label,
                Venue(read),
                $"{(read.PoolPrice is { } price ? N(price) : notRead)} / {(read.OraclePrice is { } oracle ? N(oracle) : "? (price feed not read)")}",
                (read.PriceLow is { } low && read.PriceHigh is { } high ? $"{N(low)}–{N(high)}" : "?")
                    + (read.UniswapV3 is { } position ? $" (ticks {position.TickLower}, {position.TickUpper})" : "")
                    + (plan is null ? "" : $" → {N(plan.PriceLow)}–{N(plan.PriceHigh)}")
                    + (plan?.UniswapV3 is { } v3 ? $" (ticks {v3.Range.Lower}, {v3.Range.Upper}{(v3.Target.SwapAmountIn.IsZero ? "" : ", after a swap")})" : ""),
                (read.FeePips is { } fee ? $"{fee} pips" : "?")
                    + (read.Venue == PoolVenue.UniswapV3 ? " (the pool's tier)" : plan is null ? "" : $" → {plan.Target.FeePips} pips"),
                read.Base is { } x && read.Quote is { } y ? $"{N(x)} / {N(y)}" : "?",
                read.BaseShareBps is { } share ? Numbers.Percent(share) + (read.ShareAtOraclePrice ? "" : " (at the pool's price)") : "?",
                v is null ? "— (not measured)" : $"{N(v.Inventory)} / ±{N(v.Band)}",
                feeds.Count == 0 ? "?" : string.Join("; ", feeds.Select(f => f.Describe())),
                d switch
                {
                    Plan p => $"PLAN{(p.Urgent ? " (urgent)" : "")}: benefit {N(p.ExpectedBenefit)} vs gas {N(p.GasCost)} ({p.GasUnits} gas)",
                    Hold h => $"hold: {h.Reason} — {h.Detail}",
                    _ => "",
                },
            ];
            rows.Add(cells);
        }
        // the wide table when it fits the console's width, else a block of "field: value" lines a pool
        FittedTable.Write(console, headers, rows);
        if (report.Hedges.Count > 0) FittedTable.Write(console, HedgeHeaders, HedgeRows(report));
        if (report.Risk is { } risk)
            foreach (var t in risk.Before)
                console.WriteLine($"Token {t.Token}: net delta {N(t.NetDelta)} base over {t.Pools} pool(s), VaR {N(t.ValueAtRisk)} quote, limit {(t.Limit is { } l ? "±" + N(l) : "none")}{(t.Breached ? " — PAST THE LIMIT" : "")}");
    }

    private static readonly string[] HedgeHeaders = ["hedged pool", "x(P) base", "position / target", "band", "decision"];

    private static string[][] HedgeRows(CycleReport report) => report.Hedges.Select(h => new[]
    {
        h.Label, N(h.PoolBase), $"{N(h.PerpSizeBefore)} / {N(h.TargetSize)}", $"±{N(h.Band)}",
        h.Held is { } held ? $"{held}: {h.Reason}" : $"trade {N(h.SizeDelta)}{(h.Urgent ? " (urgent)" : "")}: {h.Reason}",
    }).ToArray();

    private static void WriteFleet(CliConsole io, CycleReport report, FleetSnapshot fleet)
    {
        var rows = new List<string[]>();
        foreach (var d in report.Decisions)
        {
            var lease = fleet.LiveLease(d.Pool);
            string[] cells = lease is null
                ? [d.Label, "none (no keeper acts for it now)", "", "", ""]
                : [d.Label, lease.Holder!, lease.Since.ToString("u", CultureInfo.InvariantCulture), lease.Token.ToString(CultureInfo.InvariantCulture),
                    $"{(lease.ExpiresAt - fleet.Now).TotalSeconds:0.0} s"];
            rows.Add(cells);
        }
        FittedTable.Write(io.Tables, ["pool", "lease holder", "since", "fencing token", "expires in"], rows);
        foreach (var k in fleet.Keepers)
            io.Tables.WriteLine($"Keeper {k.Id} ({k.Address}): last seen {(fleet.Now - k.LastSeen).TotalSeconds:0.0} s ago");
    }

    /// <summary>The venue cell: a ManagedPool, or the vault's Uniswap v3 position (its liquidity, the pool's, the idle holdings).</summary>
    private static string Venue(PoolReading read) => read.UniswapV3 is { } p
        ? $"Uniswap v3: liquidity {p.Liquidity} of the pool's {p.PoolLiquidity} at tick {p.PoolTick}; idle {N(p.IdleBase)} / {N(p.IdleQuote)}"
        : read.Venue == PoolVenue.UniswapV3 ? "Uniswap v3" : "ManagedPool";

    internal static void WritePlan(CliConsole io, Plan plan)
    {
        io.Out.WriteLine($"Plan for {plan.Label} ({plan.Pool}) at block {plan.Block}{(plan.Urgent ? " — URGENT" : "")}:");
        if (plan.UniswapV3 is { } v3)
        {
            var t = v3.Target;
            io.Out.WriteLine($"  Uniswap v3 position: ticks [{t.TickLower}, {t.TickUpper}] (range [{N(plan.PriceLow)}, {N(plan.PriceHigh)}], centre {N(plan.CentrePrice)}), fee {plan.Target.FeePips} pips (the pool's tier)");
            io.Out.WriteLine(t.SwapAmountIn.IsZero
                ? $"  no swap; manager.rebalance on {v3.Manager}"
                : $"  swap {t.SwapAmountIn} raw units of token{(t.ZeroForOne ? 0 : 1)} first; manager.rebalance on {v3.Manager}");
        }
        else io.Out.WriteLine($"  centre {N(plan.CentrePrice)}, range [{N(plan.PriceLow)}, {N(plan.PriceHigh)}], fee {plan.Target.FeePips} pips");
        io.Out.WriteLine($"  gas {plan.GasUnits} (eth_estimateGas), cost {N(plan.GasCost)} quote; expected benefit {N(plan.ExpectedBenefit)} quote");
        foreach (var reason in plan.Reasons) io.Out.WriteLine($"  - {reason}");
    }

    /// <summary>
    /// Where `keeper run` logs, the file it really writes when it opens at <paramref name="localNow"/> (Log:File is a pattern: the
    /// period goes before its extension, so logs/keeper-.log itself never exists while it rolls by time).
    /// </summary>
    internal static string LogFileLine(LogSettings log, DateTime localNow)
    {
        var file = LogFileNames.Current(log, localNow);
        var rolling = log.RollingInterval == RollingInterval.Infinite ? "" : $" with the period inserted, a new file every {log.RollingInterval.ToString().ToLowerInvariant()}";
        var limit = log.FileSizeLimitBytes.ToString("N0", CultureInfo.InvariantCulture);
        return $"log file: {file} (Log:File {log.File}{rolling}; at {limit} bytes a file continues in the next _001, _002, …; the newest {log.RetainedFiles} files are kept)";
    }

    internal static string Describe(ExecutionOutcome outcome) => outcome switch
    {
        ExecutionOutcome.Mined m => $"Mined: {m.Outcome.TransactionHash} in block {m.Outcome.BlockNumber}, gas used {m.Outcome.GasUsed}, {m.Attempts} attempt(s).",
        ExecutionOutcome.Failed f => $"Failed: {f.Reason}",
        ExecutionOutcome.Deferred d => $"Not sent (deferred): {d.Reason}",
        ExecutionOutcome.Unconfirmed u => $"Sent but not final{(u.LatestHash is null ? "" : $" ({u.LatestHash})")}: {u.Reason}",
        _ => outcome.ToString(),
    };

    internal static string ReportJson(CycleReport report, FleetSnapshot? fleet = null)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, CliJson.Writer(indented: true)))
        {
            w.WriteStartObject();
            w.WriteNumber("block", report.Block);
            w.WriteString("next_base_fee_wei", report.NextBaseFeePerGas.ToString(CultureInfo.InvariantCulture));
            w.WriteStartArray("pools");
            foreach (var d in report.Decisions) WriteDecision(w, d, FeedStatuses(report, d.Pool), Reading(report, d.Pool));
            w.WriteEndArray();
            if (fleet is not null)
            {
                w.WriteStartArray("leases");
                foreach (var d in report.Decisions)
                {
                    var lease = fleet.LiveLease(d.Pool);
                    w.WriteStartObject();
                    w.WriteString("pool", d.Pool.ToString());
                    w.WriteString("label", d.Label);
                    if (lease is null) w.WriteNull("holder");
                    else
                    {
                        w.WriteString("holder", lease.Holder);
                        w.WriteString("since", lease.Since.ToString("O", CultureInfo.InvariantCulture));
                        w.WriteNumber("fencing_token", lease.Token);
                        w.WriteNumber("expires_in_seconds", Math.Round((lease.ExpiresAt - fleet.Now).TotalSeconds, 1));
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("keepers");
                foreach (var k in fleet.Keepers)
                {
                    w.WriteStartObject();
                    w.WriteString("id", k.Id);
                    w.WriteString("address", k.Address.ToString());
                    w.WriteNumber("last_seen_seconds_ago", Math.Round((fleet.Now - k.LastSeen).TotalSeconds, 1));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteDecision(Utf8JsonWriter w, Decision d, IReadOnlyList<FeedStatus> feeds, PoolReading read)
    {
        w.WriteStartObject();
        w.WriteString("pool", d.Pool.ToString());
        w.WriteString("name", d.Label);
        w.WriteString("venue", read.Venue.ToString());
        WriteReading(w, "read", read);
        w.WriteStartArray("feeds");
        foreach (var f in feeds)
        {
            w.WriteStartObject();
            w.WriteString("kind", f.Kind);
            w.WriteString("address", f.Feed.ToString());
            w.WriteString("state", f.State);
            if (f.AgeSeconds is { } age) w.WriteNumber("age_seconds", age);
            if (f.HeartbeatSeconds is { } heartbeat) w.WriteNumber("heartbeat_seconds", heartbeat);
            if (f.Error is { } error) w.WriteString("error", error);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (d.Inventory is { } v)
        {
            w.WriteNumber("pool_price", v.PoolPrice);
            w.WriteNumber("oracle_price", v.OraclePrice);
            w.WriteNumber("base", v.Base);
            w.WriteNumber("quote", v.Quote);
            w.WriteNumber("base_share_bps", v.BaseShareBps);
            w.WriteNumber("inventory", v.Inventory);
            w.WriteNumber("band", v.Band);
            w.WriteNumber("oracle_age_seconds", v.OracleAgeSeconds);
        }
        switch (d)
        {
            case Plan p:
                w.WriteString("decision", "plan");
                WritePlanFields(w, p);
                break;
            case Hold h:
                w.WriteString("decision", "hold");
                w.WriteString("reason", h.Reason.ToString());
                w.WriteString("detail", h.Detail);
                break;
        }
        w.WriteEndObject();
    }

    /// <summary>What the cycle read of a pool, as the JSON object <paramref name="name"/> (`status`, the rehearsal's before and after).</summary>
    internal static void WriteReading(Utf8JsonWriter w, string name, PoolReading read)
    {
        w.WriteStartObject(name);
        void Number(string field, double? value) { if (value is { } x) w.WriteNumber(field, x); else w.WriteNull(field); }
        Number("pool_price", read.PoolPrice);
        Number("price_low", read.PriceLow);
        Number("price_high", read.PriceHigh);
        Number("fee_pips", read.FeePips);
        Number("base", read.Base);
        Number("quote", read.Quote);
        Number("base_share_bps", read.BaseShareBps);
        w.WriteString("base_share_at", read.ShareAtOraclePrice ? "oracle" : "pool");
        Number("oracle_price", read.OraclePrice);
        if (read.Missing is { } missing) w.WriteString("missing", missing);
        if (read.UniswapV3 is { } p)
        {
            w.WriteStartObject("uniswap_v3");
            w.WriteNumber("tick_lower", p.TickLower);
            w.WriteNumber("tick_upper", p.TickUpper);
            w.WriteString("liquidity", p.Liquidity.ToString(CultureInfo.InvariantCulture));
            w.WriteString("pool_liquidity", p.PoolLiquidity.ToString(CultureInfo.InvariantCulture));
            w.WriteNumber("pool_tick", p.PoolTick);
            w.WriteNumber("idle_base", p.IdleBase);
            w.WriteNumber("idle_quote", p.IdleQuote);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>A plan's target, curve, gas and reasons as JSON fields (`status`, `rebalance --dry-run --json`, the rehearsal).</summary>
    internal static void WritePlanFields(Utf8JsonWriter w, Plan p)
    {
        w.WriteBoolean("urgent", p.Urgent);
        w.WriteString("sqrt_price_x96", p.Target.SqrtPriceX96.ToString(CultureInfo.InvariantCulture));
        w.WriteString("sqrt_price_bound_x96", p.Target.SqrtPriceBoundX96.ToString(CultureInfo.InvariantCulture));
        w.WriteNumber("fee_pips", (int)p.Target.FeePips);
        if (p.UniswapV3 is { } v3)
        {
            w.WriteStartObject("uniswap_v3");
            w.WriteString("manager", v3.Manager.ToString());
            w.WriteNumber("tick_lower", v3.Range.Lower);
            w.WriteNumber("tick_upper", v3.Range.Upper);
            w.WriteBoolean("swap_zero_for_one", v3.Target.ZeroForOne);
            w.WriteString("swap_amount_in", v3.Target.SwapAmountIn.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }
        w.WriteNumber("centre_price", p.CentrePrice);
        w.WriteNumber("price_low", p.PriceLow);
        w.WriteNumber("price_high", p.PriceHigh);
        w.WriteNumber("gas_units", p.GasUnits);
        w.WriteNumber("gas_cost", p.GasCost);
        w.WriteNumber("expected_benefit", p.ExpectedBenefit);
        w.WriteStartArray("reasons");
        foreach (var r in p.Reasons) w.WriteStringValue(r);
        w.WriteEndArray();
    }

    internal static string OutcomeJson(Plan plan, ExecutionOutcome outcome) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["pool"] = plan.Pool.ToString(),
        ["key"] = outcome.Key,
        ["outcome"] = outcome.GetType().Name.ToLowerInvariant(),
        ["tx_hash"] = outcome switch { ExecutionOutcome.Mined m => m.Outcome.TransactionHash, ExecutionOutcome.Unconfirmed u => u.LatestHash, _ => null },
        ["gas_used"] = outcome is ExecutionOutcome.Mined mm ? mm.Outcome.GasUsed : null,
        ["reason"] = outcome switch { ExecutionOutcome.Failed f => f.Reason, ExecutionOutcome.Deferred d => d.Reason, ExecutionOutcome.Unconfirmed u => u.Reason, _ => null },
    }, CliJson.Serializer);

    /// <summary>
    /// A feed a pool's policy names, as `status` shows it: "fresh" or "stale" against the policy's heartbeat (the vault's
    /// test: stale once now &gt; updatedAt + heartbeat), with its age; or "unreadable" when its read failed this cycle.
    /// </summary>
    internal sealed record FeedStatus(string Kind, Address Feed, string State, long? AgeSeconds, long? HeartbeatSeconds, string? Error)
    {
        public string Describe()
        {
            var hex = Feed.ToString();
            var shortened = hex.Length > 12 ? $"{hex[..6]}…{hex[^4..]}" : hex;
            return State switch
            {
                "fresh" => $"{Kind} {shortened} fresh {AgeSeconds} s / {HeartbeatSeconds} s",
                "stale" => $"{Kind} {shortened} STALE {AgeSeconds} s > {HeartbeatSeconds} s",
                _ => $"{Kind} {shortened} UNREADABLE",
            };
        }
    }

    /// <summary>What the cycle read of <paramref name="pool"/> (price, range, fee, reserves, share), whatever it decided.</summary>
    internal static PoolReading Reading(CycleReport report, Address pool) =>
        report.Observations.FirstOrDefault(p => p.Pool == pool) is { } o ? PoolReading.Of(o) : new PoolReading(null, null, null, null, null, null, null, false, null, "the pool was not observed");

    /// <summary>The price feed and (if any) the volatility feed of <paramref name="pool"/> in this cycle's observation.</summary>
    internal static IReadOnlyList<FeedStatus> FeedStatuses(CycleReport report, Address pool)
    {
        var o = report.Observations.FirstOrDefault(p => p.Pool == pool);
        if (o?.Feeds is not { } feeds) return [];
        var heartbeat = feeds.HeartbeatSeconds;
        FeedStatus Of(string kind, Address feed, FeedRound? round) => round is null
            ? new FeedStatus(kind, feed, "unreadable", null, heartbeat, o.Error ?? "no round read")
            : new FeedStatus(kind, feed, FeedFreshness.IsStale(report.Timestamp, round.UpdatedAt, heartbeat) ? "stale" : "fresh", FeedFreshness.Age(report.Timestamp, round.UpdatedAt), heartbeat, null);
        var list = new List<FeedStatus> { Of("price", feeds.PriceFeed, o.Price) };
        if (feeds.VolatilityFeed != default) list.Add(Of("volatility", feeds.VolatilityFeed, o.Volatility));
        return list;
    }

    private static string N(double v) => Numbers.Fixed(v);
}
