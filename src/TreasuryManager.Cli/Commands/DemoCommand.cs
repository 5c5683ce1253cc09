using System.CommandLine;
using System.Globalization;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum.DevNode;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Ethereum.Wallets;

namespace TreasuryManager.Cli.Commands;

/// <summary>
/// `treasury demo`: starts a local Hardhat node, deploys the sample contract with a type-2
/// transaction signed by our own layer, sends a signed call, reads the state back, stops the node.
/// </summary>
public static class DemoCommand
{
    /// <summary>The public Hardhat/anvil test mnemonic; its accounts are funded on local nodes only.</summary>
    private const string DevMnemonic = "test test test test test test test test test test test junk";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var anvil = new Option<bool>("--anvil") { Description = "Run the demo on anvil instead of Hardhat." };
        var command = new Command("demo", "Start a local node, deploy a sample contract, send a signed transaction, read the state back, stop the node.") { anvil };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                return await RunAsync(parse.GetValue(anvil) ? LocalNodeKind.Anvil : LocalNodeKind.Hardhat, stdout, ct);
            }
            catch (Exception e) when (e is RpcException or ContractRevertException or FileNotFoundException or DirectoryNotFoundException or InvalidOperationException or TimeoutException)
            {
                stderr.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    public static async Task<int> RunAsync(LocalNodeKind kind, TextWriter stdout, CancellationToken ct)
    {
        var root = LocalNode.FindRepositoryRoot(Directory.GetCurrentDirectory());
        var artifact = HardhatArtifact.Find(root, Counter.ArtifactName);
        stdout.WriteLine($"Starting a local {kind} node…");
        await using var node = await LocalNode.StartAsync(kind, root, ct: ct);
        stdout.WriteLine($"  node ready at {node.Endpoint} (pid {node.ProcessId})");
        using var rpc = new RpcClient(new RpcClientOptions { Endpoint = node.Endpoint });
        var eth = new EthClient(rpc);

        var key = HdWallet.FromMnemonic(DevMnemonic).GetAccount(0);
        var sender = await AccountSender.ConnectAsync(eth, key, LocalNode.DefaultChainId, ct: ct);
        stdout.WriteLine($"  signer {sender.Address} (m/44'/60'/0'/0/0 of the public test mnemonic), chain {sender.ChainId}");

        stdout.WriteLine("Deploying Counter with a signed type-2 transaction…");
        var counter = await Counter.DeployAsync(sender, artifact, "TreasuryManager demo", 0, ct);
        stdout.WriteLine($"  deployed at {counter.Address}");

        stdout.WriteLine("Sending increment(42), signed by our own secp256k1 and RLP code…");
        var result = await counter.IncrementAsync(sender, 42, ct);
        var receipt = result.Receipt;
        var incremented = Counter.IncrementedEvents(result).Single();
        stdout.WriteLine($"  tx {receipt.TransactionHash}");
        stdout.WriteLine($"  mined in block {receipt.BlockNumber}, gas used {receipt.GasUsed.ToString("N0", CultureInfo.InvariantCulture)}, effective gas price {Units.FormatGwei(receipt.EffectiveGasPrice)} gwei");
        stdout.WriteLine($"  event Incremented(by={incremented.By}, amount={incremented.Amount}, newCount={incremented.NewCount})");

        stdout.WriteLine("State read back from the chain:");
        stdout.WriteLine($"  label      = \"{await counter.LabelAsync(ct: ct)}\"");
        stdout.WriteLine($"  count      = {await counter.CountAsync(ct: ct)}");
        stdout.WriteLine($"  lastCaller = {await counter.LastCallerAsync(ct: ct)}");
        stdout.WriteLine($"  balance of signer = {Units.FormatEther(await eth.GetBalanceAsync(sender.Address, ct: ct))} ETH");

        var pid = node.ProcessId;
        await node.DisposeAsync();
        stdout.WriteLine($"Node stopped (pid {pid}).");
        return 0;
    }
}
