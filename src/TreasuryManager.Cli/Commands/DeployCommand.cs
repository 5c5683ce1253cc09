using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Spectre.Console;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.DevNode;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Ethereum.Wallets;
using TreasuryManager.Keeper.Configuration;
using static TreasuryManager.Cli.Commands.CommandSupport;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Cli.Commands;

/// <summary>
/// `treasury deploy --local`: deploys tokens, oracle, vault and pool with TreasuryDeployer to a local dev node
/// (chain 31337 only: it signs with the public Hardhat test accounts), then writes Vault, Pools, Key and Gas:Confirmations = 1 into the
/// configuration, keeping the rest of the file and its comments.
/// </summary>
public static class DeployCommand
{
    /// <summary>The public Hardhat/anvil test mnemonic; its accounts are funded on local nodes only.</summary>
    public const string DevMnemonic = "test test test test test test test test test test test junk";

    public const string MnemonicVariable = "TREASURY_MNEMONIC";
    public const string KeeperKeystorePath = "keys/keeper.json";
    public const string PoolName = "BASE/USDQ";
    public const int KeeperAccount = 1;

    public static Command Create(CliConsole io)
    {
        var local = new Option<bool>("--local") { Description = "Deploy to a local dev node (chain id 31337) with the public Hardhat test accounts. Required: only local deployments are supported." };
        var config = new Option<string>("--config")
        {
            Description = "The configuration to update (written by `treasury init`).",
            DefaultValueFactory = _ => SettingsLoader.DefaultFileName,
        };
        var rpc = new Option<string>("--rpc") { Description = "The node's JSON-RPC URL. Default: Rpc:Url of the configuration. When given, it is written to Rpc:Url." };
        var devMnemonic = new Option<bool>("--dev-mnemonic")
        {
            Description = $"Configure the keeper key as dev account {KeeperAccount} of the public test mnemonic read from {MnemonicVariable}, instead of writing {KeeperKeystorePath} encrypted with {PasswordVariable}.",
        };
        var fleetKeepers = new Option<int>("--fleet-keepers")
        {
            Description = $"Keepers of a fleet on one PostgreSQL journal (docs/fleet.md), 1 to {1 + FleetKeeperAccounts.Length}: besides dev account {KeeperAccount}, register dev accounts {string.Join(", ", FleetKeeperAccounts)} (in that order) as keepers of the vault, one key per keeper.",
            DefaultValueFactory = _ => 1,
        };
        var command = new Command("deploy", "Deploy tokens, oracle, vault and pool to a local dev node and write Vault, Pools and Key into the configuration.")
        {
            local, config, rpc, devMnemonic, fleetKeepers,
        };
        command.SetAction((parse, ct) => GuardAsync(io, () => RunAsync(io, new DeployRequest(
            parse.GetValue(local), parse.GetValue(config)!, parse.GetValue(rpc), parse.GetValue(devMnemonic), parse.GetValue(fleetKeepers)), ct)));
        return command;
    }

    /// <summary>The dev accounts of a local fleet's further keepers (accounts 0–5 are the deployment's owner, keeper, trader, reporter…).</summary>
    public static readonly int[] FleetKeeperAccounts = [6, 7, 8];

    public sealed record DeployRequest(bool Local, string ConfigPath, string? RpcUrl, bool DevMnemonic, int FleetKeepers = 1);

    public static async Task<int> RunAsync(CliConsole io, DeployRequest request, CancellationToken ct)
    {
        if (!request.Local)
            throw CliException.BadInput("only local deployments are supported: pass --local (it deploys with the public Hardhat test accounts to a chain-31337 node)");
        if (request.FleetKeepers < 1 || request.FleetKeepers > 1 + FleetKeeperAccounts.Length)
            throw CliException.BadInput($"--fleet-keepers {request.FleetKeepers.ToString(CultureInfo.InvariantCulture)}: a local fleet has 1 to {1 + FleetKeeperAccounts.Length} keepers (dev accounts {KeeperAccount}, {string.Join(", ", FleetKeeperAccounts)})");
        var configPath = Full(request.ConfigPath);
        if (!File.Exists(configPath))
            throw CliException.BadInput($"configuration '{configPath}' does not exist; run `treasury init` first or pass --config PATH");
        var configDirectory = Path.GetDirectoryName(configPath)!;
        var root = SettingsLoader.Build(configPath);
        var rpcSettings = (root.GetSection("Rpc").Get<RpcSettings>() ?? new RpcSettings()) with { Url = request.RpcUrl ?? root["Rpc:Url"] ?? new RpcSettings().Url };
        try
        {
            rpcSettings.Validate();
        }
        catch (SettingsException e) when (e.Path == "Rpc:Url")
        {
            throw CliException.BadInput(request.RpcUrl is null ? e.Message : $"--rpc: '{request.RpcUrl}' is not an http(s) URL, e.g. http://127.0.0.1:8545");
        }

        var wallet = HdWallet.FromMnemonic(DevMnemonic);
        var keeperKey = wallet.GetAccount(KeeperAccount);
        var passwordVariable = root["Key:PasswordEnv"] is { Length: > 0 } configured ? configured : PasswordVariable;
        string? password = null;
        var keystorePath = Path.Combine(configDirectory, KeeperKeystorePath);
        var writeKeystore = false;
        if (!request.DevMnemonic)
        {
            password = io.GetEnvironmentVariable(passwordVariable);
            if (string.IsNullOrEmpty(password))
                throw CliException.BadInput($"no keystore password for {KeeperKeystorePath}: set {passwordVariable}, or pass --dev-mnemonic to use {MnemonicVariable}");
            if (File.Exists(keystorePath))
            {
                var existing = WalletCommand.ReadAddress(keystorePath);
                if (existing != keeperKey.Address)
                    throw CliException.BadInput($"'{keystorePath}' already holds the key of {existing}, not dev account {KeeperAccount}; move it away or pass --dev-mnemonic");
            }
            else writeKeystore = true;
        }

        var endpoint = rpcSettings.Endpoint;
        using var rpc = new RpcClient(new RpcClientOptions { Endpoint = endpoint, Timeout = TimeSpan.FromSeconds(Math.Max(rpcSettings.TimeoutSeconds, 30)) });
        var eth = new EthClient(rpc);
        long chainId;
        try
        {
            chainId = await eth.ChainIdAsync(ct);
        }
        catch (Exception e) when (e is RpcException or HttpRequestException or TimeoutException)
        {
            // the RPC client's own message already says which node and what to check
            var why = e is RpcException ? OneLine(e.Message).TrimEnd('.') : $"cannot reach a node at {endpoint}: {OneLine(e.Message)}";
            throw CliException.Failure($"{why}; for a local node start one with `scripts/node.sh`, or pass --rpc URL", e);
        }

        if (chainId != LocalNode.DefaultChainId)
            throw CliException.BadInput($"refusing to deploy: the node at {endpoint} reports chain id {chainId.ToString(CultureInfo.InvariantCulture)}, not {LocalNode.DefaultChainId} (a local dev node); `deploy --local` signs with the public Hardhat test keys and is for local nodes only");

        var repositoryRoot = FindArtifactsRoot();
        io.Out.WriteLine($"Deploying to {endpoint} (chain {chainId.ToString(CultureInfo.InvariantCulture)}) with the Hardhat dev accounts 0–5…");
        var d = await TreasuryDeployer.DeployAsync(eth, repositoryRoot, wallet.GetAccount, chainId: chainId);
        // the keeper's width gate takes the widest range the policy allows while the pool's fees do not show that
        // concentrating pays: let that be a full range (UNBOUNDED_WIDTH_BPS), the backtest's best unhedged position
        await d.Vault.SetWidthBoundsAsync(d.Owner, d.Pool.Address, d.Policy.MinWidthBps, Models.Policy.VaultPolicyMath.UnboundedWidthBps, ct);

        var fleetKeys = FleetKeeperAccounts.Take(request.FleetKeepers - 1).Select(i => (Account: i, Key: wallet.GetAccount(i))).ToArray();
        foreach (var (_, key) in fleetKeys) await d.Vault.SetKeeperAsync(d.Owner, key.Address, true, ct);

        if (writeKeystore) Keystore.Save(keeperKey, password!, keystorePath, io.KeystoreKdf);
        var text = File.ReadAllText(configPath);
        text = UpdateConfiguration(text, root, d.Vault.Address, d.Pool.Address, request.DevMnemonic, passwordVariable, request.RpcUrl is null ? null : rpcSettings.Url);
        File.WriteAllText(configPath, text);

        PrintTable(io, d);
        io.Out.WriteLine($"Updated {configPath}: Vault, Pools[0] ({PoolName}), Key, Gas:Confirmations = 1 (a local node){(request.RpcUrl is null ? "" : ", Rpc:Url")}.");
        // a deployment already in the file is replaced, not lost without a word
        foreach (var (setting, was, now) in new[] { ("Vault", root["Vault"], d.Vault.Address.ToString()), ("Pools[0]", root["Pools:0:Address"], d.Pool.Address.ToString()) })
            if (!string.IsNullOrWhiteSpace(was) && !string.Equals(was, now, StringComparison.OrdinalIgnoreCase))
                io.Out.WriteLine($"  {setting} was {was} (an earlier deployment); it is now {now}.");
        if (request.DevMnemonic)
        {
            io.Out.WriteLine($"Keeper key: dev account {KeeperAccount} ({keeperKey.Address}) at m/44'/60'/0'/0/{KeeperAccount} of the mnemonic in {MnemonicVariable}.");
            io.Out.WriteLine($"Before starting the keeper, export the public Hardhat test mnemonic (local nodes only, never fund it elsewhere):");
            io.Out.WriteLine($"  export {MnemonicVariable}=\"{DevMnemonic}\"");
        }
        else
        {
            io.Out.WriteLine(writeKeystore
                ? $"Keeper key: dev account {KeeperAccount} ({keeperKey.Address}) written to {keystorePath}, encrypted with the password in {passwordVariable}."
                : $"Keeper key: dev account {KeeperAccount} ({keeperKey.Address}), keystore {keystorePath} kept as it was.");
        }

        foreach (var (account, key) in fleetKeys)
            io.Out.WriteLine($"Fleet keeper: dev account {account.ToString(CultureInfo.InvariantCulture)} ({key.Address}) registered with the vault; run it with the same configuration and --Key:MnemonicEnv={MnemonicVariable} --Key:DerivationPath=m/44'/60'/0'/0/{account.ToString(CultureInfo.InvariantCulture)} (README: run two keepers on one PostgreSQL).");

        return 0;
    }

    /// <summary>The checkout holding hardhat.config.js and the compiled artifacts: from the current directory, else from the executable's.</summary>
    private static string FindArtifactsRoot()
    {
        try
        {
            return LocalNode.FindRepositoryRoot(Directory.GetCurrentDirectory());
        }
        catch (DirectoryNotFoundException)
        {
            try
            {
                return LocalNode.FindRepositoryRoot(AppContext.BaseDirectory);
            }
            catch (DirectoryNotFoundException)
            {
                throw CliException.Failure("cannot find the contracts' artifacts: run from inside the TreasuryManager checkout (where hardhat.config.js is) after `npx hardhat compile`");
            }
        }
    }

    /// <summary>Writes Vault, Pools (one entry, keeping a first entry's targets) and Key into the file's text.</summary>
    internal static string UpdateConfiguration(string text, IConfiguration current, Address vault, Address pool, bool devMnemonic, string passwordVariable, string? rpcUrl)
    {
        var ic = CultureInfo.InvariantCulture;
        var previous = current.GetSection("Pools:0").Get<PoolSettings>() ?? new PoolSettings();
        string S(string value) => JsoncEditor.Quote(value);
        text = JsoncEditor.Set(text, ["Vault"], S(vault.ToString()));
        text = JsoncEditor.Set(text, ["Pools"], $$"""
            [
              {
                // Written by `treasury deploy --local`: the ManagedPool registered in the vault.
                "Name": {{S(PoolName)}},
                "Address": {{S(pool.ToString())}},
                // Wanted share of the pool's value in base (token0), basis points (0..10000).
                "TargetBaseShareBps": {{previous.TargetBaseShareBps.ToString(ic)}},
                // Past target ± this (bps of value) a rebalance is urgent (1..10000).
                "HardLimitBps": {{previous.HardLimitBps.ToString(ic)}}
              }
            ]
            """);
        var key = devMnemonic
            ? $$"""
                {
                  // Dev account {{KeeperAccount}} of the public Hardhat test mnemonic (local nodes only): export {{MnemonicVariable}} before starting the keeper.
                  "Keystore": "",
                  // Name of the environment variable holding a keystore password (unused with a mnemonic).
                  "PasswordEnv": {{S(passwordVariable)}},
                  // Name of the environment variable holding the mnemonic; never the mnemonic itself.
                  "MnemonicEnv": {{S(MnemonicVariable)}},
                  // BIP-32 path of the keeper's key (m/44'/60'/0'/0/i is account i).
                  "DerivationPath": {{S(HdPath.EthereumAccount(KeeperAccount))}}
                }
                """
            : $$"""
                {
                  // Keystore v3 file of the keeper's key (dev account {{KeeperAccount}}), relative to this file.
                  "Keystore": {{S(KeeperKeystorePath)}},
                  // Name of the environment variable holding the keystore password (without it, the keeper asks at a prompt).
                  "PasswordEnv": {{S(passwordVariable)}},
                  // Name of the environment variable holding a mnemonic (unused with a keystore).
                  "MnemonicEnv": "",
                  // BIP-32 path for a mnemonic (unused with a keystore).
                  "DerivationPath": {{S(new KeySettings().DerivationPath)}}
                }
                """;
        text = JsoncEditor.Set(text, ["Key"], key);
        // a local dev node never reorganises, and an idle one mines no block after the rebalance's own: a second
        // confirmation would never come (a real chain keeps the template's 2 or more)
        text = JsoncEditor.Set(text, ["Gas", "Confirmations"], "1");
        if (rpcUrl is not null)
        {
            text = JsoncEditor.Set(text, ["Rpc", "Url"], S(rpcUrl));
            text = JsoncEditor.Set(text, ["Rpc", "ChainId"], LocalNode.DefaultChainId.ToString(ic));
        }

        return text;
    }

    private static void PrintTable(CliConsole io, TreasuryDeployer d)
    {
        var table = new Table().Title("Deployed (local dev node)")
            .AddColumn("Role")
            .AddColumn("Address")
            .AddColumn("Notes");
        void Row(string role, Address address, string notes) => table.AddRow(new Text(role), new Text(address.ToString()), new Text(notes));
        Row("Vault", d.Vault.Address, "TreasuryVault; Vault in the configuration");
        Row($"Pool {PoolName}", d.Pool.Address, "ManagedPool, registered in the vault; Pools[0]; width from 1% to a full range");
        Row("Base token", d.Base.Address, "MintableERC20 BASE, 18 decimals (token0)");
        Row("Quote token", d.Quote.Address, "MintableERC20 USDQ, 6 decimals (token1)");
        Row("Oracle", d.Oracle.Address, "VolatilityOracle, updated by the reporter");
        Row("Price feed", d.PriceFeed, "BASE / USDQ, 8 decimals");
        Row("Volatility feed", d.VolatilityFeed, "BASE / USDQ volatility, 8 decimals");
        Row("Owner", d.Owner.Address, "dev account 0: owns vault and oracle");
        Row("Keeper", d.Keeper.Address, $"dev account {KeeperAccount}: the keeper's key");
        Row("Guardian", d.Guardian.Address, "dev account 2: can pause");
        Row("Trader", d.Trader.Address, "dev account 3: funded with BASE and USDQ");
        Row("Reporter", d.Reporter.Address, "dev account 4: reports oracle prices");
        io.Tables.Write(table);
        io.Out.Flush();
    }
}
