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
            Description = "The chain id the node must report (31337 local, 1 mainnet). Default: 31337.",
            DefaultValueFactory = _ => new RpcSettings().ChainId,
        };
        var output = new Option<string>("--out")
        {
            Description = $"Where to write the file. Default: {SettingsLoader.DefaultFileName} in the current directory.",
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
            io.Out.WriteLine(id == Ethereum.DevNode.LocalNode.DefaultChainId
                ? "Next: start a local node (npx hardhat node), then run `treasury deploy --local` to fill Vault, Pools and Key."
                : "Next: fill Vault, Pools and Key (`treasury wallet new` writes a keystore for Key:Keystore).");
            return 0;
        }));
        return command;
    }

    /// <summary>The file's text: JSON with // comments, each setting at the default of <see cref="TreasurySettings"/>.</summary>
    public static string Render(RpcSettings rpc)
    {
        var d = new TreasurySettings();
        var ic = CultureInfo.InvariantCulture;
        string S(string value) => JsoncEditor.Quote(value);
        string N(IFormattable value) => value.ToString(null, ic);
        var text = $$"""
            // TreasuryManager keeper settings, written by `treasury init`.
            // JSON with comments. Any setting can be overridden by an environment variable with the prefix TREASURY_
            // and "__" for ":" (TREASURY_Rpc__Url=…) or on the command line (--Rpc:Url=…). Secrets never go here.
            {
              "Rpc": {
                // The node's JSON-RPC endpoint (http or https URL).
                "Url": {{S(rpc.Url)}},
                // The chain id the node must report (31337 = local Hardhat or anvil node, 1 = Ethereum mainnet).
                "ChainId": {{N(rpc.ChainId)}},
                // Timeout of one JSON-RPC request, in seconds (0 < value <= 600).
                "TimeoutSeconds": {{N(d.Rpc.TimeoutSeconds)}}
              },

              // The keeper's signing key: EITHER a keystore v3 file (Keystore) OR a BIP-39 mnemonic held in an
              // environment variable (MnemonicEnv + DerivationPath). Set exactly one of Keystore and MnemonicEnv.
              // `treasury deploy --local` fills this section; `treasury wallet new` creates a keystore.
              "Key": {
                // Path of the keystore v3 JSON file (relative paths are relative to this file), e.g. "keys/keeper.json".
                "Keystore": "",
                // Name of the environment variable holding the keystore password (without it, the keeper asks at a prompt).
                "PasswordEnv": {{S(d.Key.PasswordEnv)}},
                // Name of the environment variable holding the mnemonic (e.g. "TREASURY_MNEMONIC"); never the mnemonic itself.
                "MnemonicEnv": "",
                // BIP-32 path of the key derived from the mnemonic (m/44'/60'/0'/0/i is account i).
                "DerivationPath": {{S(d.Key.DerivationPath)}}
              },

              // Address (0x…, 40 hex digits) of the TreasuryVault the keeper acts through. Written by `treasury deploy --local`.
              "Vault": "",

              // The keeper's SQLite journal file (relative paths are relative to this file).
              "Journal": {{S(d.Journal)}},

              // The pools the keeper manages; each must be registered in the vault. One entry per pool:
              //   {
              //     "Name": "BASE/USDQ",             // label in logs and metrics (default: the address)
              //     "Address": "0x…",                // the ManagedPool's address
              //     "TargetBaseShareBps": {{N(new PoolSettings().TargetBaseShareBps)}},       // wanted share of the pool's value in base (token0), basis points (0..10000)
              //     "HardLimitBps": {{N(new PoolSettings().HardLimitBps)}},             // past target ± this (bps of value), a rebalance is urgent (1..10000)
              //     "Hedge": {                       // delta hedge on the vault's hedge market (needs the owner's setHedgePolicy)
              //       "Ratio": {{N(new HedgeSettings().Ratio)}},                    // h in [0, 1]: hold −h·x(P) base on the market (0 = no hedge)
              //       "TargetMarginRatio": {{N(new HedgeSettings().TargetMarginRatio)}},     // equity / notional kept on the hedge after each trade
              //       "AssumedGas": {{N(new HedgeSettings().AssumedGas)}}            // gas of one adjustHedge in the hedge's cost (the band)
              //     },
              //     "EthPriceInQuote": 3000,         // optional: 1 ETH in THIS pool's quote (1 for WETH); required for each pool when pools quote in different tokens
              //     "RiskAversion": 0.0001           // optional: gamma per unit of THIS pool's quote (default Strategy:RiskAversion)
              //   }
              "Pools": [],

              "Gas": {
                // Never sign a maxFeePerGas above this, urgent or not, in gwei.
                "MaxFeePerGasGwei": {{N(d.Gas.MaxFeePerGasGwei)}},
                // A non-urgent rebalance waits while the next base fee is above this, in gwei (at most MaxFeePerGasGwei).
                "BaseFeeCeilingGwei": {{N(d.Gas.BaseFeeCeilingGwei)}},
                // Priority fee (tip) per gas, in gwei.
                "PriorityFeeGwei": {{N(d.Gas.PriorityFeeGwei)}},
                // Blocks without a receipt before the transaction is replaced with both fees bumped, in blocks (>= 1).
                "BlocksBeforeReplacement": {{N(d.Gas.BlocksBeforeReplacement)}},
                // A replacement's fees are the previous ones times this, per mille (1125 = +12.5%, the nodes' minimum).
                "ReplacementBumpPerMille": {{N(d.Gas.ReplacementBumpPerMille)}},
                // Confirmations (blocks) before a receipt counts as final (>= 1).
                "Confirmations": {{N(d.Gas.Confirmations)}},
                // After this many blocks without a final receipt the cycle moves on, in blocks (>= BlocksBeforeReplacement).
                "MaxBlocksToWait": {{N(d.Gas.MaxBlocksToWait)}},
                // Price of 1 ETH in the pools' quote token, to price gas in the numeraire (quote tokens per ETH); pools on other quotes set Pools:i:EthPriceInQuote.
                "EthPriceInQuote": {{N(d.Gas.EthPriceInQuote)}},
                // Gas limit = eth_estimateGas times this, per mille (1000..5000; 1250 = +25%).
                "GasLimitMarginPerMille": {{N(d.Gas.GasLimitMarginPerMille)}}
              },

              // The decision's model parameters (GLFT quotes and the no-trade band). Time unit: one day.
              "Strategy": {
                // Risk aversion gamma, per quote token (human units).
                "RiskAversion": {{N(d.Strategy.RiskAversion)}},
                // A: trades per day at distance 0, used until the intensity estimator is ready.
                "IntensityA": {{N(d.Strategy.IntensityA)}},
                // k: decay of the trade intensity per unit of relative distance from the mid price.
                "IntensityK": {{N(d.Strategy.IntensityK)}},
                // How long a new curve is meant to stand, in days: sets the range width and the benefit's horizon.
                "HorizonDays": {{N(d.Strategy.HorizonDays)}},
                // Range half-width, in standard deviations of the log price over the horizon.
                "RangeStdDevs": {{N(d.Strategy.RangeStdDevs)}},
                // A rebalance is planned only when its expected benefit is at least this many times its gas cost (ratio, >= 0).
                "BenefitToGasMargin": {{N(d.Strategy.BenefitToGasMargin)}},
                // Gas assumed for one rebalance before eth_estimateGas has run, in gas units (>= 21000).
                "AssumedRebalanceGas": {{N(d.Strategy.AssumedRebalanceGas)}},
                // EWMA smoothing time of the pool's volatility estimate, in seconds.
                "VolatilitySmoothingSeconds": {{N(d.Strategy.VolatilitySmoothingSeconds)}},
                // The toxic-flow defence: while the pool's flow is one-sided (VPIN) or the volatility regime jumps, quote
                // defensively (fee raised, range widened, within the vault's policy); restore after a calm spell.
                "Defence": {
                  // Whether the defence acts (the estimators run and log either way).
                  "Enabled": {{(d.Strategy.Defence.Enabled ? "true" : "false")}},
                  // VPIN (0..1] at or above which the flow is toxic; the calm tail on the simulator is about 0.8.
                  "VpinThreshold": {{N(d.Strategy.Defence.VpinThreshold)}},
                  // VPIN volume bucket, as a fraction (0..1] of the pool's value.
                  "VpinBucketFraction": {{N(d.Strategy.Defence.VpinBucketFraction)}},
                  // Complete buckets the VPIN averages (1..1000).
                  "VpinBuckets": {{N(d.Strategy.Defence.VpinBuckets)}},
                  // Short over long EWMA volatility (> 1) at or above which the regime is violent.
                  "RegimeRatioThreshold": {{N(d.Strategy.Defence.RegimeRatioThreshold)}},
                  // Smoothing time of the short (regime) volatility, in seconds.
                  "RegimeSmoothingSeconds": {{N(d.Strategy.Defence.RegimeSmoothingSeconds)}},
                  // Smoothing time of the long volatility it is compared with, in seconds (longer than the short one).
                  "RegimeReferenceSeconds": {{N(d.Strategy.Defence.RegimeReferenceSeconds)}},
                  // The defensive fee as a multiple (>= 1) of the normal one, then clamped to the policy's maximum.
                  "FeeMultiplier": {{N(d.Strategy.Defence.FeeMultiplier)}},
                  // The defensive range's width as a multiple (>= 1) of the normal one, then clamped to the policy's maximum.
                  "WidenFactor": {{N(d.Strategy.Defence.WidenFactor)}},
                  // Seconds both signals must stay below their exit levels before the normal curve is restored.
                  "CalmSeconds": {{N(d.Strategy.Defence.CalmSeconds)}},
                  // Exit level as a fraction (0..1] of each threshold (1: calm as soon as below the entry; lower is stickier).
                  "ExitFraction": {{N(d.Strategy.Defence.ExitFraction)}}
                }
              },

              "Cycle": {
                // How often the keeper polls for a new block, in milliseconds (10..600000).
                "PollIntervalMilliseconds": {{N(d.Cycle.PollIntervalMilliseconds)}},
                // How far back the first cycle reads the pools' swap events, in blocks (0..1000000).
                "HistoryBlocks": {{N(d.Cycle.HistoryBlocks)}}
              },

              // Treasury-wide risk across pools, per base token.
              "Risk": {
                // Limits per base token: [ { "Token": "0x…", "MaxNetDelta": 150000 } ] (whole base tokens). Past it the
                // token's hedged pools are hedged urgently back within it. Empty = no limit (the figures are still reported).
                "Tokens": [],
                // z of the value at risk z·σ·P·|net delta|·√H (2.33 = one-sided 99%).
                "ValueAtRiskZ": {{N(d.Risk.ValueAtRiskZ)}},
                // H of the value at risk, in days.
                "ValueAtRiskHorizonDays": {{N(d.Risk.ValueAtRiskHorizonDays)}}
              },

              "Metrics": {
                // Prometheus metrics on http://127.0.0.1:{Port}/metrics (TCP port 1..65535; 0 = off).
                "Port": {{N(d.Metrics.Port)}}
              }
            }

            """;
        return text.ReplaceLineEndings("\n");
    }
}
