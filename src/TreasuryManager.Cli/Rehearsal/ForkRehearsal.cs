using System.Numerics;
using Microsoft.Extensions.Logging.Abstractions;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.DevNode;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Hosting;

namespace TreasuryManager.Cli.Rehearsal;

/// <summary>The rehearsal's transaction on the fork: its receipt's figures, or why it failed.</summary>
internal sealed record ForkTransaction(bool Succeeded, string? TransactionHash, long? BlockNumber, long? GasUsed, BigInteger? EffectiveGasPrice, string? Failure)
{
    public static ForkTransaction Of(TransactionReceipt receipt) => new(receipt.Succeeded, receipt.TransactionHash, receipt.BlockNumber, receipt.GasUsed, receipt.EffectiveGasPrice,
        receipt.Succeeded ? null : "reverted on the fork");

    public static ForkTransaction Refused(string reason) => new(false, null, null, null, null, reason);

    /// <summary>What the executor's outcome (the keeper's signed path) says of the transaction.</summary>
    public static ForkTransaction Of(ExecutionOutcome outcome) => outcome switch
    {
        ExecutionOutcome.Mined m => new(true, m.Outcome.TransactionHash, m.Outcome.BlockNumber, m.Outcome.GasUsed, m.Outcome.EffectiveGasPrice, null),
        ExecutionOutcome.Failed f => new(false, f.Receipt?.TransactionHash, f.Receipt?.BlockNumber, f.Receipt?.GasUsed, f.Receipt?.EffectiveGasPrice, f.Reason),
        ExecutionOutcome.Deferred d => Refused($"deferred: {d.Reason}"),
        ExecutionOutcome.Unconfirmed u => new(false, u.LatestHash, null, null, null, $"not confirmed on the fork: {u.Reason}"),
        _ => Refused(outcome.ToString()),
    };
}

/// <summary>
/// One rehearsal: the fork (its upstream, block and node), who sent (the keeper's key, or its address impersonated),
/// the decision on the fork, the pool as read before and after, and the transaction.
/// </summary>
internal sealed record RehearsalReport(
    Uri Upstream, long ForkBlock, ForkNodeKind Node, Address Sender, bool Impersonated, Decision Decision,
    PoolReading Before, PoolReading? After, ForkTransaction? Transaction, Address? Vault)
{
    public Plan? Plan => Decision as Plan;

    /// <summary>The rehearsal ran the plan and the fork's chain accepted it.</summary>
    public bool Succeeded => Transaction?.Succeeded == true;
}

/// <summary>
/// `treasury rebalance --pool P --fork [URL]`: starts a local fork of the chain (or of URL) at its latest block with the
/// configured command (Fork:Command), runs the one-off rebalance there as the keeper would — signed with the keeper's key
/// when it is at hand, else from the keeper's address impersonated — reads the pool before and after, and stops the
/// fork by its PID whatever happens. The rehearsal's journal is a temporary file: the keeper's own is never touched.
/// </summary>
internal static class ForkRehearsal
{
    public static async Task<RehearsalReport> RunAsync(TreasurySettings settings, Uri upstream, ForkNodeCommand command, EthKey? key, Address sender, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var forkBlock = await LatestBlockAsync(upstream, settings.Rpc, ct).ConfigureAwait(false);
        var source = new ForkSource(upstream, forkBlock, settings.Rpc.ChainId);
        var journalFolder = Directory.CreateTempSubdirectory("treasury-rehearsal-").FullName;
        LocalNode? fork = null;
        try
        {
            try
            {
                fork = await LocalNode.StartForkAsync(command, source, readyTimeout: TimeSpan.FromSeconds(settings.Fork.StartTimeoutSeconds), ct: ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                throw Commands.CliException.Failure($"the fork node ({command.Program} {string.Join(' ', command.Arguments(0, source))}) did not start: {Commands.CommandSupport.OneLine(e.Message)}; check Fork:Command and that {upstream} answers", e);
            }
            await PinNextBlockTimeAsync(fork.Endpoint, ct).ConfigureAwait(false);
            var forkSettings = settings with
            {
                Rpc = settings.Rpc with { Url = fork.Endpoint.ToString() },
                Journal = Path.Combine(journalFolder, "rehearsal-journal.db"),
                // a fork mines a block per transaction and no more: one confirmation is final there
                Gas = settings.Gas with { Confirmations = 1 },
            };
            using var runtime = await KeeperRuntime.StartAsync(forkSettings, key, new KeeperMetrics(), NullLoggerFactory.Instance,
                readOnly: key is null, keeperAddress: key is null ? sender : null, ct: ct).ConfigureAwait(false);
            var report = (await runtime.Cycle.RunOnceAsync(act: false, evenIfSameBlock: true, ct: ct).ConfigureAwait(false))!;
            var decision = report.Decisions.Single();
            var before = Commands.KeeperCommands.Reading(report, decision.Pool);
            var vault = runtime.Cycle.Observer.Vault;
            if (decision is not Plan plan)
                return new RehearsalReport(upstream, forkBlock, settings.Fork.Node, sender, key is null, decision, before, null, null, vault);

            var transaction = key is not null
                ? ForkTransaction.Of(await runtime.Cycle.ActAsync(plan, ct).ConfigureAwait(false))
                : await ImpersonatedSender.SendAsync(runtime.Eth, sender, plan.Call(vault).To, plan.Call(vault).Data,
                    plan.GasLimit(settings.Gas), TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
            var afterReport = (await runtime.Cycle.RunOnceAsync(act: false, evenIfSameBlock: true, ct: ct).ConfigureAwait(false))!;
            var after = Commands.KeeperCommands.Reading(afterReport, decision.Pool);
            return new RehearsalReport(upstream, forkBlock, settings.Fork.Node, sender, key is null, plan, before, after, transaction, vault);
        }
        finally
        {
            if (fork is not null) await fork.DisposeAsync().ConfigureAwait(false);
            try { Directory.Delete(journalFolder, recursive: true); }
            catch (IOException) { }
        }
    }

    /// <summary>
    /// The fork's next block comes one second after the fork block. A fork node otherwise stamps it with the time that
    /// has passed since it started (seconds under load), and the keeper's reads of "pending" — the TWAP the vault checks
    /// — would depend on how long the fork took to start; pinned, a rehearsal is the same every time.
    /// </summary>
    private static async Task PinNextBlockTimeAsync(Uri fork, CancellationToken ct)
    {
        using var rpc = new RpcClient(new RpcClientOptions { Endpoint = fork, Timeout = TimeSpan.FromSeconds(30) });
        var latest = await new EthClient(rpc).GetBlockAsync(ct: ct).ConfigureAwait(false);
        await rpc.CallAsync("evm_setNextBlockTimestamp", [latest.Timestamp.ToUnixTimeSeconds() + 1], ct).ConfigureAwait(false);
    }

    /// <summary>The upstream's latest block: the rehearsal forks there.</summary>
    private static async Task<long> LatestBlockAsync(Uri upstream, RpcSettings rpcSettings, CancellationToken ct)
    {
        using var rpc = new RpcClient(new RpcClientOptions { Endpoint = upstream, Timeout = TimeSpan.FromSeconds(rpcSettings.TimeoutSeconds) });
        var eth = new EthClient(rpc);
        var chainId = await eth.ChainIdAsync(ct).ConfigureAwait(false);
        if (chainId != rpcSettings.ChainId)
            throw Commands.CliException.BadInput($"the node to fork, {upstream}, is on chain {chainId}, but Rpc:ChainId is {rpcSettings.ChainId}; pass --fork with a URL of the configured chain");
        return await eth.BlockNumberAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The program that starts the fork: Fork:Command when set (it must exist), else scripts/node.sh of the checkout at or
    /// above the current folder or the treasury command. Neither: a bad-input error naming Fork:Command.
    /// </summary>
    public static ForkNodeCommand Command(ForkSettings fork, string currentDirectory, string commandDirectory)
    {
        ArgumentNullException.ThrowIfNull(fork);
        var kind = fork.Node == ForkNodeKind.Anvil ? LocalNodeKind.Anvil : LocalNodeKind.Hardhat;
        if (!string.IsNullOrWhiteSpace(fork.Command))
            return File.Exists(fork.Command)
                ? new ForkNodeCommand(fork.Command, kind)
                : throw Commands.CliException.BadInput($"Fork:Command '{fork.Command}' does not exist; set it to a program taking scripts/node.sh's options (--port N --fork URL --fork-block N --chain-id N), or leave it empty to use the checkout's scripts/node.sh");
        foreach (var start in new[] { currentDirectory, commandDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var script = Path.Combine(dir.FullName, "scripts", "node.sh");
                if (File.Exists(script) && File.Exists(Path.Combine(dir.FullName, "hardhat.config.js"))) return new ForkNodeCommand(script, kind);
            }
        throw Commands.CliException.BadInput(
            $"Fork:Command is empty and no TreasuryManager checkout (scripts/node.sh) is at or above {currentDirectory} or {commandDirectory}; set Fork:Command to scripts/node.sh (or a program taking its options), e.g. --Fork:Command=/path/to/TreasuryManager/scripts/node.sh");
    }
}
