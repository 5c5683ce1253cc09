using System.Globalization;
using System.Numerics;
using System.Text.Json.Serialization;
using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Execution;
using TreasuryManager.Keeper.Journal;
using TreasuryManager.Strategy.Inputs;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Keeper.Configuration;

/// <summary>
/// The operator's configuration: <c>appsettings.json</c> (written by <c>treasury init</c> from these declarations),
/// overridden by environment variables with the prefix <c>TREASURY_</c> (<c>TREASURY_Rpc__Url</c>) and by the command
/// line (<c>--Rpc:Url=…</c>). Secrets never live here: the keystore password and the mnemonic are read from the
/// environment variables named in <see cref="KeySettings"/> (or a prompt). Each setting is declared once, with its
/// default, its description (<see cref="SettingAttribute"/>) and its rules; <see cref="Validate"/> reports every bad
/// setting at once, by its configuration path.
/// </summary>
public sealed record TreasurySettings : ISettingsSection
{
    [Setting("The node's JSON-RPC connection.")]
    public RpcSettings Rpc { get; init; } = new();

    [Setting("The keeper's signing key: EITHER a keystore v3 file (Keystore) OR a BIP-39 mnemonic held in an environment variable (MnemonicEnv + DerivationPath); exactly one. `treasury deploy --local` fills this section; `treasury wallet new` creates a keystore.")]
    public KeySettings Key { get; init; } = new();

    [Setting("Address (0x…, 40 hex digits) of the TreasuryVault the keeper acts through. Written by `treasury deploy --local`.")]
    public string? Vault { get; init; }

    [Setting("Address of the UniswapV3PositionManager that holds the vault's Uniswap v3 positions (docs/uniswap-v3.md); required when a pool's Venue is UniswapV3.", Example = "")]
    public string? UniswapV3Manager { get; init; }

    [Setting("The keeper's journal: a SQLite file (relative paths are relative to this file) for a single keeper, or a PostgreSQL database, postgres://USER@HOST:PORT/DATABASE, shared by a keeper fleet (docs/fleet.md) — never with its password (see JournalPasswordVariable)."), NotBlank(Hint = "e.g. \"treasury-journal.db\"")]
    public string Journal { get; init; } = "treasury-journal.db";

    [Setting("The environment variable that holds the PostgreSQL journal's password (used only when Journal is a PostgreSQL database)."), NotBlank(Hint = "e.g. \"TREASURY_JOURNAL_PASSWORD\"")]
    public string JournalPasswordVariable { get; init; } = PostgresJournalConnection.DefaultPasswordVariable;

    [Setting("The keeper fleet (used only when Journal is a PostgreSQL database): per-pool leases.")]
    public FleetSettings Fleet { get; init; } = new();

    [Setting("The pools the keeper manages; each must be registered in the vault. One entry per pool.")]
    public PoolSettings[] Pools { get; init; } = [];

    [Setting("Gas pricing, replacement and confirmation of the keeper's transactions.")]
    public GasSettings Gas { get; init; } = new();

    [Setting("The decision's model parameters (GLFT quotes and the no-trade band). Time unit: one day.")]
    public StrategySettings Strategy { get; init; } = new();

    [Setting("The keeper's loop.")]
    public CycleSettings Cycle { get; init; } = new();

    [Setting("Prometheus metrics.")]
    public MetricsSettings Metrics { get; init; } = new();

    [Setting("Treasury-wide risk across pools, per base token.")]
    public TreasuryRiskSettings Risk { get; init; } = new();

    [Setting("The log of `treasury keeper run`: the console and a rolling file (levels: the optional \"Serilog\" section).")]
    public LogSettings Log { get; init; } = new();

    [Setting("The local fork node `treasury rebalance --fork` starts to rehearse a rebalance on a copy of the chain.")]
    public ForkSettings Fork { get; init; } = new();

    /// <summary>Throws a <see cref="SettingsException"/> naming every invalid setting by its path, with the fix.</summary>
    public TreasurySettings Validate() => SettingsValidator.Validate(this);

    public IEnumerable<SettingProblem> CrossChecks(string path)
    {
        if (CheckAddress("Vault", Vault, "run `treasury deploy --local` or set the vault's address") is { } vault) yield return vault;
        if (PostgresJournalConnection.IsPostgres(Journal))
        {
            SettingProblem? journal = null;
            try
            {
                PostgresJournalConnection.Parse(Journal, JournalPasswordVariable);
            }
            catch (FormatException e)
            {
                journal = new("Journal", e.Message);
            }
            if (journal is not null) yield return journal;
        }
        if (Pools.Length == 0) yield return new("Pools", "lists no pool; add { \"Address\": \"0x…\" } entries (`treasury deploy --local` writes one)");
        var seen = new HashSet<Address>();
        for (var i = 0; i < Pools.Length; i++)
            if (Pools[i] is { } pool && Address.TryParse(pool.Address, out var a) && !seen.Add(a))
                yield return new($"Pools:{i}:Address", "is listed twice; remove the duplicate") { Value = a.ToString() };
        var v3 = Array.FindIndex(Pools, p => p?.Venue == PoolVenue.UniswapV3);
        if (v3 >= 0)
        {
            if (CheckAddress("UniswapV3Manager", UniswapV3Manager,
                    $"Pools:{v3} ({Pools[v3].Label}) is a Uniswap v3 pool: set UniswapV3Manager to the address of the UniswapV3PositionManager that holds the vault's v3 positions") is { } manager)
                yield return manager;
        }
        else if (!string.IsNullOrWhiteSpace(UniswapV3Manager) && CheckAddress("UniswapV3Manager", UniswapV3Manager, "") is { } bad)
            yield return bad;
    }

    /// <summary>The UniswapV3PositionManager's address, or null when no pool is on Uniswap v3.</summary>
    [JsonIgnore]
    public Address? UniswapV3ManagerAddress => Pools.Any(p => p.Venue == PoolVenue.UniswapV3)
        ? ParseAddress("UniswapV3Manager", UniswapV3Manager, "set the UniswapV3PositionManager's address")
        : null;

    /// <summary>The PostgreSQL journal's connection (without its password) when Journal names one; null for a SQLite file.</summary>
    [JsonIgnore]
    public PostgresJournalConnection? PostgresJournal =>
        PostgresJournalConnection.IsPostgres(Journal) ? PostgresJournalConnection.Parse(Journal, JournalPasswordVariable) : null;

    [JsonIgnore]
    public Address VaultAddress => ParseAddress("Vault", Vault, "set the vault's address");

    /// <summary>The problem with an address setting, or null when it parses.</summary>
    internal static SettingProblem? CheckAddress(string path, string? value, string fix)
    {
        if (string.IsNullOrWhiteSpace(value)) return new(path, $"is missing; {fix}");
        try
        {
            Address.Parse(value);
            return null;
        }
        catch (FormatException e)
        {
            return new(path, $"is not an address ({e.Message})") { Value = $"'{value}'" };
        }
    }

    internal static Address ParseAddress(string path, string? value, string fix) =>
        CheckAddress(path, value, fix) is { } problem ? throw new SettingsException([problem]) : Address.Parse(value!);
}

public sealed record RpcSettings : ISettingsSection
{
    [Setting("The node's JSON-RPC endpoint (http or https URL).")]
    public string Url { get; init; } = "http://127.0.0.1:8545";

    [Setting("The chain id the node must report (31337 = local Hardhat or anvil node, 1 = Ethereum mainnet)."), Bounds(1, long.MaxValue, Hint = "31337 local, 1 mainnet")]
    public long ChainId { get; init; } = 31337;

    [Setting("Timeout of one JSON-RPC request, in seconds (0 < value <= 600)."), Bounds(0, 600, MinExclusive = true)]
    public double TimeoutSeconds { get; init; } = 10;

    [JsonIgnore]
    public Uri Endpoint => new(Url);

    public IEnumerable<SettingProblem> CrossChecks(string path)
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            yield return new(SettingsValidator.Join(path, nameof(Url)), "is not an http(s) URL, e.g. http://127.0.0.1:8545") { Value = $"'{Url}'" };
    }

    /// <summary>Throws a <see cref="SettingsException"/> naming every bad setting of this section.</summary>
    public RpcSettings Validate() => SettingsValidator.Validate(this, "Rpc");
}

/// <summary>
/// Where the keeper's key comes from: either a keystore v3 file (<see cref="Keystore"/>) whose password is in the
/// environment variable <see cref="PasswordEnv"/> (or typed at a prompt), or a BIP-39 mnemonic in the environment
/// variable <see cref="MnemonicEnv"/> with <see cref="DerivationPath"/>. At most one of the two; with neither
/// (<see cref="IsSet"/> false) the configuration is a watcher's: `status` reads and plans, and whatever needs the key
/// (sending, a dry run's simulation as the keeper) says that none is configured (KeyLoader).
/// </summary>
public sealed record KeySettings : ISettingsSection
{
    [Setting("Path of the keystore v3 JSON file (relative paths are relative to this file), e.g. \"keys/keeper.json\".", Example = "")]
    public string? Keystore { get; init; }

    [Setting("Name of the environment variable holding the keystore password (without it, the keeper asks at a prompt)."), NotBlank(Hint = "name an environment variable")]
    public string PasswordEnv { get; init; } = "TREASURY_KEYSTORE_PASSWORD";

    [Setting("Name of the environment variable holding the mnemonic (e.g. \"TREASURY_MNEMONIC\"); never the mnemonic itself.", Example = "")]
    public string? MnemonicEnv { get; init; }

    [Setting("BIP-32 path of the key derived from the mnemonic (m/44'/60'/0'/0/i is account i).")]
    public string DerivationPath { get; init; } = "m/44'/60'/0'/0/0";

    /// <summary>Whether a key source is named (a keystore or a mnemonic variable).</summary>
    [JsonIgnore]
    public bool IsSet => !string.IsNullOrWhiteSpace(Keystore) || !string.IsNullOrWhiteSpace(MnemonicEnv);

    public IEnumerable<SettingProblem> CrossChecks(string path)
    {
        if (!string.IsNullOrWhiteSpace(Keystore) && !string.IsNullOrWhiteSpace(MnemonicEnv))
            yield return new(path.Length == 0 ? "Key" : path, "sets both Keystore and MnemonicEnv; keep one");
    }

    /// <summary>Throws a <see cref="SettingsException"/> naming every bad setting of this section.</summary>
    public KeySettings Validate() => SettingsValidator.Validate(this, "Key");
}

public sealed record PoolSettings : ISettingsSection
{
    [Setting("The pool's address: the ManagedPool, or the Uniswap v3 pool (Venue UniswapV3).", Example = "0x…")]
    public string? Address { get; init; }

    [Setting("Where the treasury's liquidity for this pool sits: ManagedPool (the vault's own pool, re-centred, re-ranged and its fee set by vault.rebalance) or UniswapV3 (the vault's position in a Uniswap v3 pool, re-ranged through UniswapV3Manager; the fee is the pool's tier).")]
    public PoolVenue Venue { get; init; } = PoolVenue.ManagedPool;

    [Setting("A label for logs and metrics (default: the address).", Example = "BASE/USDQ")]
    public string? Name { get; init; }

    [Setting("The share of the pool's value the treasury wants in base (token0), basis points (0..10000). Inventory is measured from it."), Bounds(0, 10_000)]
    public int TargetBaseShareBps { get; init; } = 5000;

    [Setting("Past target ± this (bps of value in base) a rebalance is urgent: sent whatever the base fee (up to the cap) (1..10000)."), Bounds(0, 10_000, MinExclusive = true)]
    public int HardLimitBps { get; init; } = 3000;

    [Setting("The pool's delta hedge on its vault hedge market (needs the owner's setHedgePolicy); off unless Ratio > 0.")]
    public HedgeSettings Hedge { get; init; } = new();

    /// <remarks>Null: <see cref="GasSettings.EthPriceInQuote"/>, allowed only while every managed pool quotes in one token
    /// (the keeper refuses to start otherwise, naming the pool).</remarks>
    [Setting("Optional: 1 ETH in THIS pool's quote token (1 for WETH, about 3000 for a USD stablecoin), to price its gas in its own quote; required for each pool when pools quote in different tokens."),
     Positive(Hint = "this pool's quote tokens per ETH, or leave it out to use Gas:EthPriceInQuote")]
    public decimal? EthPriceInQuote { get; init; }

    /// <remarks>A WETH-quoted pool next to USD ones takes γ_USD × (USD per ETH) for the same risk appetite.</remarks>
    [Setting("Optional: gamma for this pool per unit of ITS quote token (default Strategy:RiskAversion)."),
     Positive(Hint = "per unit of this pool's quote, or leave it out to use Strategy:RiskAversion")]
    public double? RiskAversion { get; init; }

    public IEnumerable<SettingProblem> CrossChecks(string path)
    {
        if (TreasurySettings.CheckAddress(SettingsValidator.Join(path, nameof(Address)), Address, "set the pool's address") is { } problem) yield return problem;
        if (Hedge is null) yield return new(SettingsValidator.Join(path, nameof(Hedge)), "is null; remove it or set { \"Ratio\": 0.5 }");
        else if (Venue == PoolVenue.UniswapV3 && Hedge.Wanted)
            yield return new(SettingsValidator.Join(path, "Hedge:Ratio"), "must be 0 for a Uniswap v3 pool: the vault's perp hedge is for ManagedPools only; set it to 0 or remove Hedge");
    }

    /// <summary>Throws a <see cref="SettingsException"/> naming every bad setting of this pool (paths under <paramref name="path"/>); returns its address.</summary>
    public Address Validate(string path)
    {
        SettingsValidator.Validate(this, path);
        return Ethereum.Address.Parse(Address!);
    }

    [JsonIgnore]
    public string Label => string.IsNullOrWhiteSpace(Name) ? Address ?? "?" : Name!;

    /// <summary>The inventory targets as the Strategy core takes them.</summary>
    [JsonIgnore]
    public PoolTargets Targets => new(TargetBaseShareBps, HardLimitBps, Hedge?.Ratio ?? 0);
}

/// <summary>Where the treasury's liquidity for a pool sits (Pools:i:Venue).</summary>
public enum PoolVenue
{
    /// <summary>The vault's own ManagedPool: vault.rebalance sets its centre, range and fee.</summary>
    ManagedPool,

    /// <summary>The vault's position in a Uniswap v3 pool, held by the UniswapV3PositionManager: manager.rebalance sets its
    /// ticks; the fee is the pool's tier.</summary>
    UniswapV3,
}

/// <summary>
/// A pool's delta hedge: the keeper holds −Ratio·x(P) base on the pool's vault hedge market (x(P) the base the pool's
/// curve holds at the oracle price), trading back to it when the deviation leaves the docs/models.md band. Enabled when
/// <see cref="Ratio"/> &gt; 0 and the vault has a hedge policy (setHedgePolicy) for the pool.
/// </summary>
public sealed record HedgeSettings
{
    /// <remarks>0 is the default: hedging costs fees and funding and needs the owner's hedge policy and margin, so it is opted into per pool.</remarks>
    [Setting("h in [0, 1]: hold −h·(x(P) − ReferenceBase) base on the market (0 = no hedge, 1 = neutral to the reference). The range's width weighs the price risk the hedge leaves, 1 − h: unhedged the widest range the policy allows, delta-neutral the most profitable (docs/models.md, \"The width\")."), Bounds(0, 1, Hint = "0 no hedge, 1 delta-neutral")]
    public double Ratio { get; init; }

    /// <remarks>A DAO market-making in its own token usually means to keep its holding: with the base it deposited here the
    /// hedge offsets only what market making changed (the pool's deviation from that holding), never shorting the token
    /// itself. Measured on the simulator (docs/simulation.md, "The committee's comparison"): on fair-calm the spread of
    /// PnL against hold falls from 111k (the whole inventory hedged) to 6k.</remarks>
    [Setting("The base (whole tokens, >= 0) the treasury means to hold in this pool: the hedge offsets x(P) − ReferenceBase. 0 hedges the whole inventory (the treasury is then short its own token)."), Bounds(0, double.MaxValue)]
    public double ReferenceBase { get; init; }

    /// <remarks>0.25 is 2.5× the local market's 10% initial margin and 5× its 5% maintenance, so a 20% adverse move of the
    /// mark (≈ 4σ of a day at 5%/day) still leaves the position above maintenance before the keeper tops it up. The keeper
    /// never targets below the vault policy's minimum or the market's initial margin (each + 1%).</remarks>
    [Setting("Equity / notional kept on the hedge after each trade: deposits up to it when below, withdraws down to it only when above twice it."), Bounds(0, 10, MinExclusive = true)]
    public double TargetMarginRatio { get; init; } = 0.25;

    /// <remarks>Measured on the local PerpMarket (HedgeCycleTests): 181,731 for the first adjustment (a new account) and
    /// 108,688–113,482 for later ones; 150,000 lies between, rounded up. The gas limit comes from eth_estimateGas.</remarks>
    [Setting("Gas of one vault.adjustHedge in the hedge's cost c (the band), in gas units."), Bounds(21_000, 10_000_000)]
    public long AssumedGas { get; init; } = 150_000;

    [JsonIgnore]
    public bool Wanted => Ratio > 0;
}

/// <summary>
/// Treasury-wide risk: the pools grouped by base token; per token the net delta (Σ pools' x(P) + Σ their hedge
/// positions, base units) is kept within <see cref="TokenRiskLimit.MaxNetDelta"/> by urgent hedges, and the value at
/// risk z·σ·P·|net|·√H is reported.
/// </summary>
public sealed record TreasuryRiskSettings : ISettingsSection
{
    [Setting("Limits per base token: [ { \"Token\": \"0x…\", \"MaxNetDelta\": 150000 } ] (whole base tokens). Past it the token's hedged pools are hedged urgently back within it. Empty = no limit (the figures are still reported).")]
    public TokenRiskLimit[] Tokens { get; init; } = [];

    [Setting("z of the value at risk z·σ·P·|net delta|·√H (2.33 = one-sided 99%)."), Positive(Hint = "2.33 for 99%")]
    public double ValueAtRiskZ { get; init; } = 2.33;

    [Setting("H of the value at risk, in days."), Positive]
    public double ValueAtRiskHorizonDays { get; init; } = 1;

    public IEnumerable<SettingProblem> CrossChecks(string path)
    {
        var seen = new HashSet<Address>();
        for (var i = 0; i < Tokens.Length; i++)
        {
            var entry = SettingsValidator.Join(path, $"Tokens:{i}");
            if (Tokens[i] is not { } t) continue;
            if (TreasurySettings.CheckAddress($"{entry}:Token", t.Token, "set the base token's address") is { } bad) yield return bad;
            else if (!seen.Add(Address.Parse(t.Token!))) yield return new($"{entry}:Token", "is listed twice; keep one limit per token") { Value = Address.Parse(t.Token!).ToString() };
        }
    }

    /// <summary>Throws a <see cref="SettingsException"/> naming every bad setting of this section.</summary>
    public TreasuryRiskSettings Validate() => SettingsValidator.Validate(this, "Risk");

    /// <summary>The limits by token address (validated settings only).</summary>
    public IReadOnlyDictionary<Address, double> Limits() => Tokens.ToDictionary(t => Address.Parse(t.Token!), t => t.MaxNetDelta);
}

/// <summary>The largest |net delta| the treasury may hold in one base token, in whole base tokens.</summary>
public sealed record TokenRiskLimit
{
    [Setting("The base token's address.", Example = "0x…")]
    public string? Token { get; init; }

    [Setting("The largest |net delta| in this token, whole base tokens."), Positive(Hint = "a positive number of base tokens")]
    public double MaxNetDelta { get; init; }
}

/// <summary>
/// Gas pricing, replacement and confirmation, in gwei and blocks. The rules the executor also applies (fee cap, ceiling
/// and tip, replacement, confirmations) have one home, <see cref="ExecutorOptions.Problems"/>: these settings are
/// checked by building their <see cref="ExecutorOptions"/> and naming its problems by the settings' paths.
/// </summary>
public sealed record GasSettings : ISettingsSection
{
    [Setting("Never sign a maxFeePerGas above this, urgent or not, in gwei (0 < value <= 10000: more is taken for a unit slip).")]
    public decimal MaxFeePerGasGwei { get; init; } = 100;

    [Setting("A non-urgent rebalance waits while the next base fee is above this, in gwei (at most MaxFeePerGasGwei).")]
    public decimal BaseFeeCeilingGwei { get; init; } = 30;

    [Setting("Priority fee (tip) per gas, in gwei.")]
    public decimal PriorityFeeGwei { get; init; } = 1;

    [Setting("Blocks without a receipt before the transaction is replaced with both fees bumped (>= 1).")]
    public int BlocksBeforeReplacement { get; init; } = 3;

    [Setting("A replacement's fees are the previous ones times this, per mille (1125 = +12.5%, the nodes' minimum).")]
    public int ReplacementBumpPerMille { get; init; } = 1125;

    [Setting("Confirmations (blocks) before a receipt counts as final (1..1000).")]
    public int Confirmations { get; init; } = 2;

    [Setting("After this many blocks without a final receipt the cycle moves on; the journal keeps the intent in flight (>= BlocksBeforeReplacement).")]
    public int MaxBlocksToWait { get; init; } = 50;

    /// <remarks>One price for every pool: when the managed pools quote in different tokens each pool sets its own <see cref="PoolSettings.EthPriceInQuote"/>.</remarks>
    [Setting("Price of 1 ETH in the pools' quote token, to price gas in the numeraire (quote tokens per ETH); pools on other quotes set Pools:i:EthPriceInQuote."), Positive(Hint = "quote tokens per ETH")]
    public decimal EthPriceInQuote { get; init; } = 3000;

    [Setting("Gas limit = eth_estimateGas times this, per mille (1000..5000; 1250 = +25%)."), Bounds(1000, 5000)]
    public int GasLimitMarginPerMille { get; init; } = 1250;

    [JsonIgnore]
    public BigInteger MaxFeePerGasWei => Wei(MaxFeePerGasGwei);
    [JsonIgnore]
    public BigInteger BaseFeeCeilingWei => Wei(BaseFeeCeilingGwei);
    [JsonIgnore]
    public BigInteger PriorityFeeWei => Wei(PriorityFeeGwei);

    /// <summary>Gwei to wei, toward zero; whole and fractional gwei apart, so a cap beyond decimal's range in wei (1e28 gwei)
    /// is a (refused or absurd) number, not an overflow.</summary>
    private static BigInteger Wei(decimal gwei)
    {
        var whole = decimal.Truncate(gwei);
        return new BigInteger(whole) * 1_000_000_000 + new BigInteger(decimal.Round((gwei - whole) * 1_000_000_000m, 0, MidpointRounding.ToZero));
    }

    /// <summary>The executor's options these settings make.</summary>
    public ExecutorOptions ToExecutorOptions(long? chainId, TimeSpan pollInterval) => new()
    {
        MaxFeePerGasCap = MaxFeePerGasWei,
        BaseFeeCeiling = BaseFeeCeilingWei,
        PriorityFeePerGas = PriorityFeeWei,
        ChainId = chainId,
        BlocksBeforeReplacement = BlocksBeforeReplacement,
        ReplacementBumpPerMille = ReplacementBumpPerMille,
        Confirmations = Confirmations,
        MaxBlocksToWait = MaxBlocksToWait,
        PollInterval = pollInterval,
    };

    public IEnumerable<SettingProblem> CrossChecks(string path)
    {
        var fields = new Dictionary<string, string>
        {
            [nameof(ExecutorOptions.MaxFeePerGasCap)] = nameof(MaxFeePerGasGwei),
            [nameof(ExecutorOptions.BaseFeeCeiling)] = nameof(BaseFeeCeilingGwei),
            [nameof(ExecutorOptions.PriorityFeePerGas)] = nameof(PriorityFeeGwei),
            [nameof(ExecutorOptions.BlocksBeforeReplacement)] = nameof(BlocksBeforeReplacement),
            [nameof(ExecutorOptions.ReplacementBumpPerMille)] = nameof(ReplacementBumpPerMille),
            [nameof(ExecutorOptions.Confirmations)] = nameof(Confirmations),
            [nameof(ExecutorOptions.MaxBlocksToWait)] = nameof(MaxBlocksToWait),
        };
        var gwei = new HashSet<string> { nameof(MaxFeePerGasGwei), nameof(BaseFeeCeilingGwei), nameof(PriorityFeeGwei) };
        foreach (var p in ToExecutorOptions(null, TimeSpan.FromMilliseconds(500)).Problems())
        {
            if (!fields.TryGetValue(p.Field, out var setting)) continue;
            var value = typeof(GasSettings).GetProperty(setting)!.GetValue(this);
            var rule = gwei.Contains(setting) ? GweiRule(p.Field, setting) : p.Rule.Replace(nameof(ExecutorOptions.BlocksBeforeReplacement), SettingsValidator.Join(path, nameof(BlocksBeforeReplacement)), StringComparison.Ordinal);
            yield return new(SettingsValidator.Join(path, setting), rule) { Value = SettingsValidator.Show(value) };
        }
    }

    private static string GweiRule(string field, string setting) => field switch
    {
        nameof(ExecutorOptions.BaseFeeCeiling) => $"must be positive and at most Gas:{nameof(MaxFeePerGasGwei)}",
        nameof(ExecutorOptions.PriorityFeePerGas) => $"must lie in [0, Gas:{nameof(MaxFeePerGasGwei)}]",
        _ => $"must be positive and at most {ExecutorOptions.MaxFeePerGasCapLimitGwei} (gwei)",
    };

    /// <summary>Throws a <see cref="SettingsException"/> naming every bad setting of this section.</summary>
    public GasSettings Validate() => SettingsValidator.Validate(this, "Gas");
}

public sealed record CycleSettings
{
    [Setting("How often the keeper polls for a new block, in milliseconds (10..600000)."), Bounds(10, 600_000)]
    public int PollIntervalMilliseconds { get; init; } = 1000;

    [Setting("How far back the first cycle reads the pools' swap events, in blocks (0..1000000)."), Bounds(0, 1_000_000)]
    public int HistoryBlocks { get; init; } = 2000;
}

/// <summary>Where `treasury keeper run` writes its log besides the console: a file rolled by time and by size.</summary>
public sealed record LogSettings
{
    /// <remarks>Serilog's rolling file sink puts the period before the extension (keeper-20260101.log) and a sequence
    /// number after it when a file reaches <see cref="FileSizeLimitBytes"/> (keeper-20260101_001.log).</remarks>
    [Setting("The log file (relative paths are relative to this file); the date is inserted before the extension, e.g. logs/keeper-20260101.log."), NotBlank(Hint = "e.g. \"logs/keeper-.log\"")]
    public string File { get; init; } = "logs/keeper-.log";

    [Setting("A new file every Day (or Hour, Month, Year; Infinite = only by size).")]
    public Serilog.RollingInterval RollingInterval { get; init; } = Serilog.RollingInterval.Day;

    /// <remarks>10 MB holds several days of the keeper's Information lines at one cycle per 12 s block.</remarks>
    [Setting("A file that reaches this size (bytes) is closed and the next one started (1000..10^12)."), Bounds(1000, 1e12)]
    public long FileSizeLimitBytes { get; init; } = 10_000_000;

    [Setting("How many log files are kept; older ones are deleted (1..10000)."), Bounds(1, 10_000)]
    public int RetainedFiles { get; init; } = 31;
}

/// <summary>The fork node of `treasury rebalance --fork`: started by a command taking scripts/node.sh's options, stopped by its PID.</summary>
public sealed record ForkSettings
{
    [Setting("The program that starts the fork node: it takes scripts/node.sh's options (--port N --fork URL --fork-block N --chain-id N, and --anvil when Node is Anvil) and runs the node in the foreground (relative paths are relative to this file). Empty: scripts/node.sh of the TreasuryManager checkout at or above the current folder or the treasury command.", Example = "")]
    public string? Command { get; init; }

    [Setting("The node the command starts: Hardhat or Anvil (then --anvil is passed).")]
    public ForkNodeKind Node { get; init; } = ForkNodeKind.Hardhat;

    /// <remarks>Hardhat takes a few seconds to start and fetches the fork block's state lazily; 120 s covers a slow upstream.</remarks>
    [Setting("Seconds to wait for the fork node to answer (1..600)."), Bounds(1, 600)]
    public int StartTimeoutSeconds { get; init; } = 120;
}

/// <summary>The local node a rehearsal forks with.</summary>
public enum ForkNodeKind
{
    Hardhat,
    Anvil,
}

public sealed record FleetSettings
{
    [Setting("How long a keeper's lease on a pool lasts without renewal, in seconds (2..3600): a dead keeper's pools move after at most this long. The keeper renews every cycle and stops acting for a pool once less than a third of it is left."), Bounds(2, 3600)]
    public int LeaseTtlSeconds { get; init; } = 15;

    [Setting("This keeper's name in the fleet (default: its signing address). Two processes must never share one.")]
    public string? KeeperId { get; init; }
}

public sealed record MetricsSettings
{
    [Setting("Prometheus metrics on http://127.0.0.1:{Port}/metrics (TCP port 1..65535; 0 = off)."), Bounds(0, 65_535, Hint = "0 = off")]
    public int Port { get; init; } = 9464;
}
