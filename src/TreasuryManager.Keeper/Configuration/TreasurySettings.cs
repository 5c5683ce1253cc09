using System.Globalization;
using System.Numerics;
using System.Text.Json.Serialization;
using TreasuryManager.Ethereum;
using TreasuryManager.Strategy.Inputs;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Keeper.Configuration;

/// <summary>
/// The operator's configuration: <c>appsettings.json</c> (written by <c>treasury init</c>), overridden by
/// environment variables with the prefix <c>TREASURY_</c> (<c>TREASURY_Rpc__Url</c>) and by the command
/// line (<c>--Rpc:Url=…</c>). Secrets never live here: the keystore password and the mnemonic are read
/// from the environment variables named in <see cref="KeySettings"/> (or a prompt).
/// <see cref="Validate"/> names the first bad setting by its configuration path and says how to fix it.
/// </summary>
public sealed record TreasurySettings
{
    public RpcSettings Rpc { get; init; } = new();
    public KeySettings Key { get; init; } = new();

    /// <summary>The TreasuryVault the keeper acts through (0x…, EIP-55 or lower case).</summary>
    public string? Vault { get; init; }

    /// <summary>The keeper's SQLite journal (relative paths are relative to the configuration file).</summary>
    public string Journal { get; init; } = "treasury-journal.db";

    /// <summary>The pools the keeper manages; each must be registered in <see cref="Vault"/>.</summary>
    public PoolSettings[] Pools { get; init; } = [];

    public GasSettings Gas { get; init; } = new();
    public StrategySettings Strategy { get; init; } = new();
    public CycleSettings Cycle { get; init; } = new();
    public MetricsSettings Metrics { get; init; } = new();

    /// <summary>Treasury-wide risk limits across pools (issue 7, item 4a); none by default.</summary>
    public TreasuryRiskSettings Risk { get; init; } = new();

    /// <summary>Throws <see cref="SettingsException"/> naming the first invalid setting.</summary>
    public TreasurySettings Validate()
    {
        Rpc.Validate();
        Key.Validate();
        ParseAddress("Vault", Vault, "run `treasury deploy --local` or set the vault's address");
        if (string.IsNullOrWhiteSpace(Journal)) throw new SettingsException("Journal", "must be a file path, e.g. \"treasury-journal.db\"");
        if (Pools.Length == 0) throw new SettingsException("Pools", "lists no pool; add { \"Address\": \"0x…\" } entries (`treasury deploy --local` writes one)");
        var seen = new HashSet<Address>();
        for (var i = 0; i < Pools.Length; i++)
        {
            var address = Pools[i].Validate($"Pools:{i}");
            if (!seen.Add(address)) throw new SettingsException($"Pools:{i}:Address", $"{address} is listed twice; remove the duplicate");
        }
        Gas.Validate();
        Strategy.Validate();
        Cycle.Validate();
        Metrics.Validate();
        Risk.Validate();
        return this;
    }

    [JsonIgnore]
    public Address VaultAddress => ParseAddress("Vault", Vault, "set the vault's address");

    internal static Address ParseAddress(string path, string? value, string fix)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new SettingsException(path, $"is missing; {fix}");
        try
        {
            return Address.Parse(value);
        }
        catch (FormatException e)
        {
            throw new SettingsException(path, $"'{value}' is not an address ({e.Message})");
        }
    }
}

public sealed record RpcSettings
{
    /// <summary>The node's JSON-RPC endpoint (http or https).</summary>
    public string Url { get; init; } = "http://127.0.0.1:8545";

    /// <summary>The chain the node must be on (31337 for a local Hardhat or anvil node, 1 for mainnet).</summary>
    public long ChainId { get; init; } = 31337;

    /// <summary>Per-request timeout.</summary>
    public double TimeoutSeconds { get; init; } = 10;

    [JsonIgnore]
    public Uri Endpoint => new(Url);

    public void Validate()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new SettingsException("Rpc:Url", $"'{Url}' is not an http(s) URL, e.g. http://127.0.0.1:8545");
        if (ChainId <= 0) throw new SettingsException("Rpc:ChainId", $"{ChainId} must be positive (31337 local, 1 mainnet)");
        if (!(TimeoutSeconds > 0 && TimeoutSeconds <= 600)) throw new SettingsException("Rpc:TimeoutSeconds", $"{TimeoutSeconds} must lie in (0, 600]");
    }
}

/// <summary>
/// Where the keeper's key comes from: either a keystore v3 file (<see cref="Keystore"/>) whose password is in the
/// environment variable <see cref="PasswordEnv"/> (or typed at a prompt), or a BIP-39 mnemonic in the environment
/// variable <see cref="MnemonicEnv"/> with <see cref="DerivationPath"/>. Exactly one of the two.
/// </summary>
public sealed record KeySettings
{
    public string? Keystore { get; init; }
    public string PasswordEnv { get; init; } = "TREASURY_KEYSTORE_PASSWORD";
    public string? MnemonicEnv { get; init; }
    public string DerivationPath { get; init; } = "m/44'/60'/0'/0/0";

    public void Validate()
    {
        var hasKeystore = !string.IsNullOrWhiteSpace(Keystore);
        var hasMnemonic = !string.IsNullOrWhiteSpace(MnemonicEnv);
        if (hasKeystore == hasMnemonic)
            throw new SettingsException("Key", hasKeystore
                ? "sets both Keystore and MnemonicEnv; keep one"
                : "sets neither Keystore nor MnemonicEnv; run `treasury wallet new` (or `wallet import`) and set Key:Keystore, or set Key:MnemonicEnv to the name of the variable holding the mnemonic");
        if (string.IsNullOrWhiteSpace(PasswordEnv)) throw new SettingsException("Key:PasswordEnv", "must name an environment variable");
    }
}

public sealed record PoolSettings
{
    public string? Address { get; init; }

    /// <summary>A label for logs and metrics (default: the address).</summary>
    public string? Name { get; init; }

    /// <summary>The share of the pool's value the treasury wants in base (token0), bps. Inventory is measured from it.</summary>
    public int TargetBaseShareBps { get; init; } = 5000;

    /// <summary>Inventory past target ± this (bps of value in base) is urgent: the rebalance is sent whatever the base fee (up to the cap).</summary>
    public int HardLimitBps { get; init; } = 3000;

    /// <summary>The pool's delta hedge on its vault hedge market (issue 7); off unless Ratio &gt; 0 and the vault has a hedge policy for the pool.</summary>
    public HedgeSettings Hedge { get; init; } = new();
    /// <summary>
    /// ETH's price in THIS pool's quote token (quote per ETH: 1 for a WETH pool, ≈ 3000 for a USDC pool), to price its
    /// gas in its own quote (c = gas × gas price × this). Null: <see cref="GasSettings.EthPriceInQuote"/>, allowed only while
    /// every managed pool quotes in one token (the keeper refuses to start otherwise, naming the pool).
    /// </summary>
    public decimal? EthPriceInQuote { get; init; }

    /// <summary>γ for this pool per unit of ITS quote token; null = <see cref="StrategySettings.RiskAversion"/>. A WETH-quoted pool
    /// next to USD ones takes γ_USD × (USD per ETH) for the same risk appetite.</summary>
    public double? RiskAversion { get; init; }

    public Address Validate(string path)
    {
        var address = TreasurySettings.ParseAddress($"{path}:Address", Address, "set the pool's address");
        if (TargetBaseShareBps is < 0 or > 10_000) throw new SettingsException($"{path}:TargetBaseShareBps", $"{TargetBaseShareBps} must lie in [0, 10000]");
        if (HardLimitBps is <= 0 or > 10_000) throw new SettingsException($"{path}:HardLimitBps", $"{HardLimitBps} must lie in (0, 10000]");
        (Hedge ?? throw new SettingsException($"{path}:Hedge", "is null; remove it or set { \"Ratio\": 0.5 }")).Validate($"{path}:Hedge");
        if (EthPriceInQuote is <= 0) throw new SettingsException($"{path}:EthPriceInQuote", $"{EthPriceInQuote} must be positive (this pool's quote tokens per ETH), or left out to use Gas:EthPriceInQuote");
        if (RiskAversion is { } g && !(g > 0 && double.IsFinite(g)))
            throw new SettingsException($"{path}:RiskAversion", $"{g.ToString(CultureInfo.InvariantCulture)} must be a positive number (per unit of this pool's quote), or left out to use Strategy:RiskAversion");
        return address;
    }

    [JsonIgnore]
    public string Label => string.IsNullOrWhiteSpace(Name) ? Address ?? "?" : Name!;

    /// <summary>The inventory targets as the Strategy core takes them.</summary>
    [JsonIgnore]
    public PoolTargets Targets => new(TargetBaseShareBps, HardLimitBps);
}

/// <summary>
/// A pool's delta hedge: the keeper holds −Ratio·x(P) base on the pool's vault hedge market (x(P) the base the pool's
/// curve holds at the oracle price), trading back to it when the deviation leaves the MODELS.md band. Enabled when
/// <see cref="Ratio"/> &gt; 0 and the vault has a hedge policy (setHedgePolicy) for the pool.
/// </summary>
public sealed record HedgeSettings
{
    /// <summary>
    /// h in [0, 1]: 0 no hedge (the default: hedging costs fees and funding and needs the owner's hedge policy and
    /// margin, so it is opted into per pool), 1 delta-neutral.
    /// </summary>
    public double Ratio { get; init; }

    /// <summary>
    /// Equity / notional the keeper keeps on the hedge account after each trade (deposits up to it when below; withdraws
    /// down to it only when above twice it). Default 0.25: 2.5× the local market's 10% initial margin and 5× its 5%
    /// maintenance, so a 20% adverse move of the mark (≈ 4σ of a day at 5%/day) still leaves the position above
    /// maintenance before the keeper tops it up. The keeper never targets below the vault policy's minimum or the
    /// market's initial margin (each + 1%).
    /// </summary>
    public double TargetMarginRatio { get; init; } = 0.25;

    /// <summary>
    /// Gas of one vault.adjustHedge in the hedge's cost c (the band): measured on the local PerpMarket (HedgeCycleTests),
    /// 181,731 for the first (a new account: deposit and open) and 108,688–113,482 for later adjustments; 150,000 lies
    /// between, rounded up. The transaction's gas limit comes from eth_estimateGas, not from this.
    /// </summary>
    public long AssumedGas { get; init; } = 150_000;

    [JsonIgnore]
    public bool Wanted => Ratio > 0;

    public void Validate(string path)
    {
        if (!(Ratio is >= 0 and <= 1)) throw new SettingsException($"{path}:Ratio", $"{Ratio.ToString(CultureInfo.InvariantCulture)} must lie in [0, 1] (0 no hedge, 1 delta-neutral)");
        if (!(TargetMarginRatio is > 0 and <= 10)) throw new SettingsException($"{path}:TargetMarginRatio", $"{TargetMarginRatio.ToString(CultureInfo.InvariantCulture)} must lie in (0, 10] (equity / notional, e.g. 0.25)");
        if (AssumedGas is < 21_000 or > 10_000_000) throw new SettingsException($"{path}:AssumedGas", $"{AssumedGas} must lie in [21000, 10000000]");
    }
}

/// <summary>
/// Treasury-wide risk: the pools grouped by base token; per token the net delta (Σ pools' x(P) + Σ their hedge
/// positions, base units) is kept within <see cref="TokenRiskLimit.MaxNetDelta"/> by urgent hedges, and the value at
/// risk z·σ·P·|net|·√H is reported.
/// </summary>
public sealed record TreasuryRiskSettings
{
    /// <summary>Limits per base token (by address); a token not listed has no limit (its figures are still reported).</summary>
    public TokenRiskLimit[] Tokens { get; init; } = [];

    /// <summary>z of the value at risk (2.33: one-sided 99%).</summary>
    public double ValueAtRiskZ { get; init; } = 2.33;

    /// <summary>H of the value at risk, days (1: the keeper's horizon for a daily report).</summary>
    public double ValueAtRiskHorizonDays { get; init; } = 1;

    public void Validate()
    {
        if (!(ValueAtRiskZ > 0 && double.IsFinite(ValueAtRiskZ))) throw new SettingsException("Risk:ValueAtRiskZ", $"{ValueAtRiskZ.ToString(CultureInfo.InvariantCulture)} must be a positive number (2.33 for 99%)");
        if (!(ValueAtRiskHorizonDays > 0 && double.IsFinite(ValueAtRiskHorizonDays))) throw new SettingsException("Risk:ValueAtRiskHorizonDays", $"{ValueAtRiskHorizonDays.ToString(CultureInfo.InvariantCulture)} must be a positive number of days");
        var seen = new HashSet<Address>();
        for (var i = 0; i < Tokens.Length; i++)
        {
            var path = $"Risk:Tokens:{i}";
            var t = Tokens[i] ?? throw new SettingsException(path, "is null; set { \"Token\": \"0x…\", \"MaxNetDelta\": 1000 }");
            var address = TreasurySettings.ParseAddress($"{path}:Token", t.Token, "set the base token's address");
            if (!seen.Add(address)) throw new SettingsException($"{path}:Token", $"{address} is listed twice; keep one limit per token");
            if (!(t.MaxNetDelta > 0 && double.IsFinite(t.MaxNetDelta))) throw new SettingsException($"{path}:MaxNetDelta", $"{t.MaxNetDelta.ToString(CultureInfo.InvariantCulture)} must be a positive number of base tokens");
        }
    }

    /// <summary>The limits by token address (validated settings only).</summary>
    public IReadOnlyDictionary<Address, double> Limits() => Tokens.ToDictionary(t => Address.Parse(t.Token!), t => t.MaxNetDelta);
}

/// <summary>The largest |net delta| the treasury may hold in one base token, in whole base tokens.</summary>
public sealed record TokenRiskLimit
{
    public string? Token { get; init; }
    public double MaxNetDelta { get; init; }
}

public sealed record GasSettings
{
    /// <summary>Never sign a maxFeePerGas above this, urgent or not (gwei).</summary>
    public decimal MaxFeePerGasGwei { get; init; } = 100;

    /// <summary>A non-urgent rebalance waits while the next base fee is above this (gwei).</summary>
    public decimal BaseFeeCeilingGwei { get; init; } = 30;

    public decimal PriorityFeeGwei { get; init; } = 1;

    /// <summary>Blocks without a receipt before a replacement with both fees bumped.</summary>
    public int BlocksBeforeReplacement { get; init; } = 3;

    /// <summary>Both fees of a replacement times this, per mille (≥ 1125).</summary>
    public int ReplacementBumpPerMille { get; init; } = 1125;

    public int Confirmations { get; init; } = 2;

    /// <summary>After this many blocks without a final receipt, the cycle moves on (the journal keeps the intent in flight).</summary>
    public int MaxBlocksToWait { get; init; } = 50;

    /// <summary>
    /// ETH in the pools' quote token, to price gas in the numeraire (c = gas × gas price × this). One price for every pool:
    /// when the managed pools quote in different tokens each pool sets its own <see cref="PoolSettings.EthPriceInQuote"/>.
    /// </summary>
    public decimal EthPriceInQuote { get; init; } = 3000;

    /// <summary>eth_estimateGas × this margin, per mille, is the gas limit.</summary>
    public int GasLimitMarginPerMille { get; init; } = 1250;

    [JsonIgnore]
    public BigInteger MaxFeePerGasWei => Wei(MaxFeePerGasGwei);
    [JsonIgnore]
    public BigInteger BaseFeeCeilingWei => Wei(BaseFeeCeilingGwei);
    [JsonIgnore]
    public BigInteger PriorityFeeWei => Wei(PriorityFeeGwei);

    private static BigInteger Wei(decimal gwei) => new(decimal.Round(gwei * 1_000_000_000m, 0, MidpointRounding.ToZero));

    public void Validate()
    {
        if (MaxFeePerGasGwei <= 0) throw new SettingsException("Gas:MaxFeePerGasGwei", $"{MaxFeePerGasGwei} must be positive");
        if (BaseFeeCeilingGwei <= 0 || BaseFeeCeilingGwei > MaxFeePerGasGwei)
            throw new SettingsException("Gas:BaseFeeCeilingGwei", $"{BaseFeeCeilingGwei} must be positive and at most Gas:MaxFeePerGasGwei ({MaxFeePerGasGwei})");
        if (PriorityFeeGwei < 0 || PriorityFeeGwei > MaxFeePerGasGwei)
            throw new SettingsException("Gas:PriorityFeeGwei", $"{PriorityFeeGwei} must lie in [0, Gas:MaxFeePerGasGwei]");
        if (BlocksBeforeReplacement < 1) throw new SettingsException("Gas:BlocksBeforeReplacement", $"{BlocksBeforeReplacement} must be at least 1");
        if (ReplacementBumpPerMille is < 1125 or > 10_000) throw new SettingsException("Gas:ReplacementBumpPerMille", $"{ReplacementBumpPerMille} must lie in [1125, 10000] (nodes refuse a bump under 12.5%)");
        if (Confirmations < 1) throw new SettingsException("Gas:Confirmations", $"{Confirmations} must be at least 1");
        if (MaxBlocksToWait < BlocksBeforeReplacement) throw new SettingsException("Gas:MaxBlocksToWait", $"{MaxBlocksToWait} must be at least Gas:BlocksBeforeReplacement ({BlocksBeforeReplacement})");
        if (EthPriceInQuote <= 0) throw new SettingsException("Gas:EthPriceInQuote", $"{EthPriceInQuote} must be positive (quote tokens per ETH)");
        if (GasLimitMarginPerMille is < 1000 or > 5000) throw new SettingsException("Gas:GasLimitMarginPerMille", $"{GasLimitMarginPerMille} must lie in [1000, 5000]");
    }
}

public sealed record CycleSettings
{
    /// <summary>How often the keeper looks for a new block.</summary>
    public int PollIntervalMilliseconds { get; init; } = 1000;

    /// <summary>How far back (blocks) the first cycle reads the pools' swap events.</summary>
    public int HistoryBlocks { get; init; } = 2000;

    public void Validate()
    {
        if (PollIntervalMilliseconds is < 10 or > 600_000) throw new SettingsException("Cycle:PollIntervalMilliseconds", $"{PollIntervalMilliseconds} must lie in [10, 600000]");
        if (HistoryBlocks is < 0 or > 1_000_000) throw new SettingsException("Cycle:HistoryBlocks", $"{HistoryBlocks} must lie in [0, 1000000]");
    }
}

public sealed record MetricsSettings
{
    /// <summary>Prometheus metrics on http://127.0.0.1:{Port}/metrics; 0 = off.</summary>
    public int Port { get; init; } = 9464;

    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new SettingsException("Metrics:Port", $"{Port} must lie in [0, 65535] (0 = off)");
    }
}
