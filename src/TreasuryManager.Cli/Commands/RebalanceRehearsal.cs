using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using TreasuryManager.Cli.Rehearsal;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Hosting;
using TreasuryManager.Keeper.Keys;
using TreasuryManager.Models.Formatting;
using TreasuryManager.Strategy.Decisions;

namespace TreasuryManager.Cli.Commands;

/// <summary>
/// `treasury rebalance --pool P --fork [URL]`: the rehearsal on a local fork (<see cref="ForkRehearsal"/>), printed, and
/// then — only after the fork is stopped and only if the rehearsal succeeded — the offer to send the same plan to the real
/// chain: a y/N prompt on a terminal, <c>--send-after-rehearsal</c> otherwise (with <c>--json</c> nothing is offered without
/// it). Before sending, the real chain's current state is decided on again; a plan that would differ from the rehearsed
/// one (<see cref="RehearsedPlan"/>) is not sent.
/// </summary>
internal static class RebalanceRehearsal
{
    public static async Task<int> RunAsync(CliConsole io, TreasurySettings settings, PoolSettings target, string? forkUrl, bool sendAfterRehearsal, bool asJson, CancellationToken ct)
    {
        var onlyThat = settings with { Pools = [target] };
        var upstream = Upstream(forkUrl, settings);
        var command = ForkRehearsal.Command(settings.Fork, Directory.GetCurrentDirectory(), AppContext.BaseDirectory);
        var key = KeyAtHand(settings, io);
        var sender = key?.Address ?? KeeperCommands.KeeperAddress(settings, io); // names the key source when it gives no address
        if (!asJson) io.Out.WriteLine($"Rehearsing on a local {settings.Fork.Node} fork of {upstream} ({(key is null ? $"the keeper {sender} impersonated: its key is not at hand" : $"signed with the keeper's key {sender}")})…");

        var rehearsal = await ForkRehearsal.RunAsync(onlyThat, upstream, command, key, sender, ct);
        if (!asJson) WriteRehearsal(io, rehearsal);
        if (rehearsal.Decision is Hold hold)
        {
            if (asJson) io.Out.WriteLine(Json(rehearsal, sent: null));
            return hold.Reason is HoldReason.InsideBand or HoldReason.BenefitBelowGas or HoldReason.AlreadyAtTarget or HoldReason.Defensive ? 0 : 1;
        }
        if (!rehearsal.Succeeded)
        {
            if (asJson) io.Out.WriteLine(Json(rehearsal, sent: null));
            else io.Out.WriteLine("The rehearsal failed: nothing is offered for the real chain.");
            return 1;
        }

        if (!sendAfterRehearsal)
        {
            if (asJson)
            {
                io.Out.WriteLine(Json(rehearsal, sent: null));
                return 0;
            }
            if (!io.CanConfirm)
            {
                io.Out.WriteLine(io.CanPrompt
                    ? "Not sent to the real chain: standard output is redirected, so no question is asked about a report you cannot see; pass --send-after-rehearsal to send the rehearsed plan without a prompt."
                    : "Not sent to the real chain: pass --send-after-rehearsal to send the rehearsed plan without a prompt.");
                return 0;
            }
            io.Out.Write($"Send the same plan to the real chain ({settings.Rpc.Url})? [y/N] ");
            var answer = io.In.ReadLine()?.Trim();
            if (!string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) && !string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase))
            {
                io.Out.WriteLine("Not sent.");
                return 0;
            }
        }

        // the real chain: the key (a prompt for its password if need be), the same decision again on its current state
        using var runtime = await KeeperRuntime.StartAsync(onlyThat, key ?? KeeperCommands.LoadKey(settings, io), new KeeperMetrics(), NullLoggerFactory.Instance, ct: ct);
        var now = (await runtime.Cycle.RunOnceAsync(act: false, evenIfSameBlock: true, ct: ct))!.Decisions.Single();
        var differences = RehearsedPlan.Differences(rehearsal.Plan!, now);
        if (differences.Count > 0)
        {
            if (asJson) io.Out.WriteLine(Json(rehearsal, new SendResult(null, null, differences)));
            else io.Out.WriteLine($"Not sent: the real chain has moved since the rehearsal and now calls for a different plan ({string.Join("; ", differences)}); rehearse again.");
            return 1;
        }
        var plan = (Plan)now;
        var outcome = await runtime.Cycle.ActAsync(plan, ct);
        if (asJson) io.Out.WriteLine(Json(rehearsal, new SendResult(plan, outcome, [])));
        else io.Out.WriteLine($"Sent to the real chain — {KeeperCommands.Describe(outcome)}");
        return outcome is ExecutionOutcome.Mined ? 0 : 1;
    }

    /// <summary>What became of the offer to send: the plan sent and its outcome, or the differences that stopped it.</summary>
    private sealed record SendResult(Plan? Plan, ExecutionOutcome? Outcome, IReadOnlyList<string> Differences);

    /// <summary>The node to fork: --fork's URL, else Rpc:Url; an http(s) URL or a bad-input error naming --fork.</summary>
    private static Uri Upstream(string? forkUrl, TreasurySettings settings)
    {
        if (string.IsNullOrWhiteSpace(forkUrl)) return settings.Rpc.Endpoint;
        return Uri.TryCreate(forkUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw CliException.BadInput($"--fork '{forkUrl}' is not an http(s) JSON-RPC URL; give the node to fork (e.g. --fork http://127.0.0.1:8545), or --fork alone to fork Rpc:Url");
    }

    /// <summary>
    /// The keeper's key when its secret is in the environment (Key:PasswordEnv for a keystore, Key:MnemonicEnv for a
    /// mnemonic): the rehearsal then signs as the real send will. Otherwise null — the rehearsal impersonates the keeper's
    /// address and the key is asked for only if the plan is sent. A secret that is set but wrong is an error.
    /// </summary>
    private static EthKey? KeyAtHand(TreasurySettings settings, CliConsole io)
    {
        var secret = string.IsNullOrWhiteSpace(settings.Key.Keystore) ? settings.Key.MnemonicEnv : settings.Key.PasswordEnv;
        return string.IsNullOrWhiteSpace(secret) || string.IsNullOrEmpty(io.GetEnvironmentVariable(secret))
            ? null
            : KeyLoader.Load(settings.Key, io.GetEnvironmentVariable, promptPassword: null);
    }

    private static void WriteRehearsal(CliConsole io, RehearsalReport r)
    {
        io.Out.WriteLine($"Rehearsal on the fork of {r.Upstream} at block {r.ForkBlock} (the fork is stopped):");
        switch (r.Decision)
        {
            case Hold hold:
                io.Out.WriteLine($"  Nothing to rehearse for {hold.Label}: {hold.Reason} — {hold.Detail}");
                io.Out.WriteLine($"  pool: {Describe(r.Before)}");
                return;
            case Plan plan:
                KeeperCommands.WritePlan(io, plan);
                break;
        }
        io.Out.WriteLine($"  before: {Describe(r.Before)}");
        if (r.After is { } after) io.Out.WriteLine($"  after:  {Describe(after)}");
        var t = r.Transaction!;
        var from = r.Impersonated ? $"sent from the keeper {r.Sender} impersonated" : $"signed with the keeper's key {r.Sender}";
        io.Out.WriteLine(t.Succeeded
            ? $"  outcome: mined in fork block {t.BlockNumber} ({t.TransactionHash}), gas used {t.GasUsed} (estimated {r.Plan!.GasUnits}), {from}"
            : $"  outcome: FAILED on the fork — {t.Failure}{(t.TransactionHash is null ? "" : $" ({t.TransactionHash})")}, {from}");
    }

    private static string Describe(PoolReading read)
    {
        if (read.Missing is { } missing && read.PoolPrice is null) return $"? (not read: {missing})";
        string N(double? v) => v is { } x ? Numbers.Fixed(x) : "?";
        return $"price {N(read.PoolPrice)} (oracle {N(read.OraclePrice)}), range {N(read.PriceLow)}–{N(read.PriceHigh)}, fee {read.FeePips?.ToString(CultureInfo.InvariantCulture) ?? "?"} pips, "
            + $"base / quote {N(read.Base)} / {N(read.Quote)}, base share {(read.BaseShareBps is { } share ? Numbers.Percent(share) : "?")}";
    }

    private static string Json(RehearsalReport r, SendResult? sent)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, CliJson.Writer(indented: true)))
        {
            w.WriteStartObject();
            w.WriteStartObject("rehearsal");
            w.WriteString("upstream", r.Upstream.ToString());
            w.WriteNumber("fork_block", r.ForkBlock);
            w.WriteString("fork_node", r.Node.ToString().ToLowerInvariant());
            w.WriteString("pool", r.Decision.Pool.ToString());
            w.WriteString("name", r.Decision.Label);
            w.WriteString("sender", r.Sender.ToString());
            w.WriteString("signed_by", r.Impersonated ? "impersonated" : "key");
            switch (r.Decision)
            {
                case Plan plan:
                    w.WriteString("decision", "plan");
                    w.WriteStartObject("plan");
                    KeeperCommands.WritePlanFields(w, plan);
                    w.WriteEndObject();
                    break;
                case Hold hold:
                    w.WriteString("decision", "hold");
                    w.WriteString("reason", hold.Reason.ToString());
                    w.WriteString("detail", hold.Detail);
                    break;
            }
            KeeperCommands.WriteReading(w, "before", r.Before);
            if (r.After is { } after) KeeperCommands.WriteReading(w, "after", after);
            else w.WriteNull("after");
            if (r.Transaction is { } t)
            {
                w.WriteString("outcome", t.Succeeded ? "mined" : "failed");
                if (t.TransactionHash is { } hash) w.WriteString("tx_hash", hash); else w.WriteNull("tx_hash");
                if (t.BlockNumber is { } block) w.WriteNumber("block", block); else w.WriteNull("block");
                if (t.GasUsed is { } gas) w.WriteNumber("gas_used", gas); else w.WriteNull("gas_used");
                w.WriteNumber("gas_estimated", r.Plan!.GasUnits);
                if (t.EffectiveGasPrice is { } price) w.WriteString("effective_gas_price_wei", price.ToString(CultureInfo.InvariantCulture)); else w.WriteNull("effective_gas_price_wei");
                if (t.Failure is { } failure) w.WriteString("failure", failure);
            }
            else w.WriteString("outcome", "nothing to rehearse");
            w.WriteEndObject();
            if (sent is null) w.WriteNull("sent");
            else
            {
                w.WriteStartObject("sent");
                if (sent.Outcome is { } outcome && sent.Plan is { } plan)
                {
                    w.WriteBoolean("sent", true);
                    w.WritePropertyName("result");
                    using var doc = JsonDocument.Parse(KeeperCommands.OutcomeJson(plan, outcome));
                    doc.RootElement.WriteTo(w);
                }
                else
                {
                    w.WriteBoolean("sent", false);
                    w.WriteStartArray("differences");
                    foreach (var d in sent.Differences) w.WriteStringValue(d);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
