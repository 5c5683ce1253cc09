using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using TreasuryManager.Keeper.Configuration;
using static TreasuryManager.Cli.Commands.CommandSupport;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Cli.Commands;

/// <summary>
/// `treasury init`: writes a commented appsettings.json with every keeper setting at its default, for a local
/// node or the given RPC endpoint. Vault, Pools and Key are left for `treasury deploy --local` (or the operator).
/// </summary>
public static class InitCommand
{
    public static Command Create(CliConsole io)
    {
        var rpc = new Option<string>("--rpc") { Description = "The node's JSON-RPC URL (http or https). Default: http://127.0.0.1:8545, a local Hardhat or anvil node." };
        var chainId = new Option<long>("--chain-id")
        {
            Description = "The chain id the node must report (31337 local, 1 mainnet).",
            DefaultValueFactory = _ => new RpcSettings().ChainId,
        };
        var output = new Option<string>("--out")
        {
            Description = "Where to write the file (a relative path is from the current directory).",
            DefaultValueFactory = _ => SettingsLoader.DefaultFileName,
        };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing file." };
        var command = new Command("init", "Write a commented appsettings.json for the keeper: every setting at its default, with its meaning and unit.")
        {
            rpc, chainId, output, force,
        };
        command.SetAction(parse => Guard(io, () =>
        {
            var url = parse.GetValue(rpc) ?? new RpcSettings().Url;
            var id = parse.GetValue(chainId);
            var rpcSettings = new RpcSettings { Url = url, ChainId = id };
            try
            {
                rpcSettings.Validate();
            }
            catch (SettingsException e)
            {
                var option = e.Path == "Rpc:Url" ? "--rpc" : "--chain-id";
                throw CliException.BadInput($"{option}: {e.Message.Replace($"setting {e.Path} ", "", StringComparison.Ordinal)}");
            }

            var path = parse.GetValue(output);
            if (string.IsNullOrWhiteSpace(path)) throw CliException.BadInput("--out is empty; give a file path such as appsettings.json");
            var full = Full(path);
            if (Directory.Exists(full)) throw CliException.BadInput($"'{full}' is a directory; give --out a file path such as {Path.Combine(path, SettingsLoader.DefaultFileName)}");
            if (File.Exists(full) && !parse.GetValue(force))
                throw CliException.BadInput($"'{full}' already exists; pass --force to overwrite it or --out PATH to write elsewhere");
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, Render(rpcSettings));
            io.Out.WriteLine($"Wrote {full} (RPC {url}, chain {id.ToString(CultureInfo.InvariantCulture)}).");
            io.Out.WriteLine(id == DevNode.LocalNode.DefaultChainId
                ? "Next: start a local node (scripts/node.sh), then run `treasury deploy --local` to fill Vault, Pools and Key."
                : "Next: fill Vault, Pools and Key (`treasury wallet new` writes a keystore for Key:Keystore).");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The file's text: JSON with // comments, each setting at the default of <see cref="TreasurySettings"/> with the
    /// description it is declared with (<see cref="SettingAttribute"/>: one description per setting, the same
    /// declarations that validate it).
    /// </summary>
    public static string Render(RpcSettings rpc)
    {
        var defaults = new TreasurySettings { Rpc = rpc };
        var text = $$"""
            // TreasuryManager keeper settings, written by `treasury init`.
            // JSON with comments. Any setting can be overridden by an environment variable with the prefix TREASURY_
            // and "__" for ":" (TREASURY_Rpc__Url=…) or on the command line of status, rebalance and keeper run
            // ({{SettingOverrides.Example}}, or the value after a space). Secrets never go here.

            """ + SettingsTemplate.Render(defaults) + "\n";
        return text.ReplaceLineEndings("\n");
    }
}
