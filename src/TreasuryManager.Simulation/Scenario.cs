using System.Text.RegularExpressions;
using System.Text.Json;
using System.Text.Json.Serialization;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Simulation;

/// <summary>
/// One market scenario: everything but the seed that decides a path's event stream (the reference price, gas,
/// oracle posts, the noise and informed arrivals) and the strategies' settings. Loaded from JSON (scenarios/*.json,
/// snake_case keys; unknown keys are errors). Time unit: one day. Token amounts in human units (both tokens 18 decimals).
/// </summary>
public sealed record Scenario
{
    public string Name { get; init; } = "unnamed";
    public string Description { get; init; } = "";

    /// <summary>Simulated steps per path.</summary>
    public int Steps { get; init; } = 2016;

    /// <summary>Length of one step in seconds (300 = 5 minutes).</summary>
    public double StepSeconds { get; init; } = 300;

    public PriceProcess Price { get; init; } = new();
    public NoiseFlow Noise { get; init; } = new();
    public InformedFlow Informed { get; init; } = new();
    public ArbitrageSettings Arbitrage { get; init; } = new();
    public GasProcess Gas { get; init; } = new();
    public OracleSettings Oracle { get; init; } = new();
    public PoolSetup Pool { get; init; } = new();
    public StrategyParameters Strategies { get; init; } = new();

    /// <summary>The perpetuals venue of the "hedged" and "defended" strategies (ignored by the others).</summary>
    public PerpSettings Perp { get; init; } = new();

    /// <summary>Fair market: an outside venue (a CEX or another pool) the noise flow is routed to by all-in cost (off by default).</summary>
    public OutsideVenueSettings Venue { get; init; } = new();

    /// <summary>Fair market: other liquidity providers' liquidity in the treasury's pool (none by default).</summary>
    public OtherLiquiditySettings OtherLps { get; init; } = new();

    [JsonIgnore]
    public double Dt => StepSeconds / 86_400.0;

    [JsonIgnore]
    public double Days => Steps * Dt;

    /// <summary>Throws <see cref="ScenarioException"/> naming the first field that cannot be used.</summary>
    public Scenario Validate()
    {
        Check(Steps is > 0 and <= 10_000_000, "steps", Steps, "must lie in [1, 10000000]");
        Check(StepSeconds is > 0 and <= 86_400, "step_seconds", StepSeconds, "must lie in (0, 86400]");
        Price.Validate(Steps);
        Noise.Validate();
        Informed.Validate();
        Arbitrage.Validate();
        Gas.Validate();
        Oracle.Validate();
        Pool.Validate();
        Strategies.Validate();
        Perp.Validate();
        Venue.Validate();
        OtherLps.Validate();
        return this;
    }

    internal static void Check(bool ok, string field, object value, string rule)
    {
        if (!ok) throw new ScenarioException(field, $"{Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)} {rule}");
    }

    internal static void Positive(string field, double v) => Check(v > 0 && double.IsFinite(v), field, v, "must be a positive number");

    internal static void NonNegative(string field, double v) => Check(v >= 0 && double.IsFinite(v), field, v, "must be a non-negative number");

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
        WriteIndented = true,
    };

    /// <summary>Parses and validates a scenario; a bad document or field throws <see cref="ScenarioException"/> naming it.</summary>
    public static Scenario Parse(string json, string source)
    {
        Scenario? s;
        try
        {
            s = JsonSerializer.Deserialize<Scenario>(json, Json);
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 0 } p ? $" at {p}{(e.LineNumber is { } line ? $" (line {line + 1})" : "")}" : "";
            throw new ScenarioException(source, $"is not a valid scenario{where}: {InWords(e.Message)}");
        }
        if (s is null) throw new ScenarioException(source, "is empty (expected a JSON object)");
        try
        {
            return s.Validate();
        }
        catch (ScenarioException e)
        {
            throw new ScenarioException($"{source}: {e.Field}", e.Problem);
        }
    }

    private static string FirstLine(string m) => m.Split('\n')[0].Trim();

    /// <summary>System.Text.Json's message without .NET type names: an unknown field names the field, a value of the wrong
    /// kind says what it must be (an enumeration's allowed values as the file spells them).</summary>
    private static string InWords(string message)
    {
        var first = FirstLine(message);
        if (Regex.Match(first, "The JSON property '([^']+)' could not be mapped") is { Success: true } unknown)
            return $"'{unknown.Groups[1].Value}' is not a field there (docs/simulation.md lists a scenario's fields)";
        if (Regex.Match(first, @"could not be converted to ([\w.`+]+)") is { Success: true } converted)
        {
            var name = converted.Groups[1].Value.TrimEnd('.');
            var type = Type.GetType(name) ?? typeof(Scenario).Assembly.GetType(name);
            type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
            return "the value is not " + (type is null ? $"a {name[(name.LastIndexOf('.') + 1)..]}"
                : type.IsPrimitive || type.IsEnum || type == typeof(decimal) || type == typeof(string) ? ValueKinds.Describe(type, JsonNamingPolicy.SnakeCaseLower.ConvertName)
                : "of the right kind (an object, a list or a value as docs/simulation.md shows)");
        }
        return Regex.Replace(first, @"\s*Path: \$.*$", "");
    }
}

/// <summary>A scenario field that cannot be used (<see cref="Field"/> names it).</summary>
public sealed class ScenarioException(string field, string problem) : Exception($"scenario {field} {problem}")
{
    public string Field { get; } = field;
    public string Problem { get; } = problem;
}

public enum PriceModel
{
    /// <summary>Geometric Brownian motion.</summary>
    Gbm,
    /// <summary>GBM plus compound-Poisson jumps in log price (Merton 1976).</summary>
    JumpDiffusion,
    /// <summary>GBM whose volatility switches between two levels as a two-state Markov chain.</summary>
    RegimeSwitching,
}

/// <summary>The external reference market's price (quote per base).</summary>
public sealed record PriceProcess
{
    public PriceModel Model { get; init; } = PriceModel.Gbm;
    public double Initial { get; init; } = 2000;

    /// <summary>μ, drift of the price per day (E[S_t] = S_0·e^(μt)).</summary>
    public double DriftPerDay { get; init; }

    /// <summary>σ of ln price per √day (the low regime's under regime switching).</summary>
    public double VolatilityPerDay { get; init; } = 0.03;

    /// <summary>Jump-diffusion: jumps per day, and their log sizes ~ N(mean, std).</summary>
    public double JumpsPerDay { get; init; }
    public double JumpMean { get; init; }
    public double JumpStd { get; init; }

    /// <summary>Regime switching: σ of the high regime, and the switching rates per day (low→high, high→low).</summary>
    public double HighVolatilityPerDay { get; init; } = 0.1;
    public double ToHighPerDay { get; init; } = 0.5;
    public double ToLowPerDay { get; init; } = 2;

    /// <summary>A scheduled jump of ln price (e.g. −0.3 for a crash) at <see cref="ShockStep"/> (none when 0).</summary>
    public double ShockLog { get; init; }
    public int ShockStep { get; init; }

    public void Validate(int steps)
    {
        Scenario.Positive("price.initial", Initial);
        Scenario.Check(double.IsFinite(DriftPerDay), "price.drift_per_day", DriftPerDay, "must be finite");
        Scenario.NonNegative("price.volatility_per_day", VolatilityPerDay);
        Scenario.NonNegative("price.jumps_per_day", JumpsPerDay);
        Scenario.Check(double.IsFinite(JumpMean), "price.jump_mean", JumpMean, "must be finite");
        Scenario.NonNegative("price.jump_std", JumpStd);
        Scenario.NonNegative("price.high_volatility_per_day", HighVolatilityPerDay);
        Scenario.NonNegative("price.to_high_per_day", ToHighPerDay);
        Scenario.NonNegative("price.to_low_per_day", ToLowPerDay);
        Scenario.Check(double.IsFinite(ShockLog) && Math.Abs(ShockLog) < 5, "price.shock_log", ShockLog, "must lie in (−5, 5)");
        Scenario.Check(ShockStep >= 0 && ShockStep < steps, "price.shock_step", ShockStep, "must lie in [0, steps)");
    }
}

/// <summary>Uninformed takers: Poisson arrivals at A·e^(−k·fee) per day, sizes lognormal in quote value, either side.</summary>
public sealed record NoiseFlow
{
    /// <summary>A: arrivals per day at a zero fee.</summary>
    public double ArrivalsPerDay { get; init; } = 2000;

    /// <summary>k per unit of relative distance (the fee as a fraction).</summary>
    public double K { get; init; } = 300;

    /// <summary>Median trade size, quote value.</summary>
    public double MedianSizeQuote { get; init; } = 2000;

    /// <summary>σ of ln size.</summary>
    public double SizeLogStd { get; init; } = 1;

    public void Validate()
    {
        Scenario.NonNegative("noise.arrivals_per_day", ArrivalsPerDay);
        Scenario.NonNegative("noise.k", K);
        Scenario.Positive("noise.median_size_quote", MedianSizeQuote);
        Scenario.NonNegative("noise.size_log_std", SizeLogStd);
    }
}

/// <summary>Toxic flow: traders who know the reference price <see cref="HorizonSteps"/> ahead and trade when it pays after fee.</summary>
public sealed record InformedFlow
{
    public double ArrivalsPerDay { get; init; } = 20;
    public int HorizonSteps { get; init; } = 12;
    public double SizeQuote { get; init; } = 20_000;

    /// <summary>Extra arrivals per day in the <see cref="BeforeShockSteps"/> steps before the scheduled shock (leaked news).</summary>
    public double BeforeShockArrivalsPerDay { get; init; }
    public int BeforeShockSteps { get; init; }

    public void Validate()
    {
        Scenario.NonNegative("informed.arrivals_per_day", ArrivalsPerDay);
        Scenario.Check(HorizonSteps is >= 1 and <= 100_000, "informed.horizon_steps", HorizonSteps, "must lie in [1, 100000]");
        Scenario.Positive("informed.size_quote", SizeQuote);
        Scenario.NonNegative("informed.before_shock_arrivals_per_day", BeforeShockArrivalsPerDay);
        Scenario.Check(BeforeShockSteps >= 0, "informed.before_shock_steps", BeforeShockSteps, "must be ≥ 0");
    }
}

/// <summary>The arbitrageur: trades each pool to the reference price whenever that pays after the fee and its swap gas.</summary>
public sealed record ArbitrageSettings
{
    public bool Enabled { get; init; } = true;

    /// <summary>Gas of one swap (<see cref="MeasuredGas.PoolSwap"/>).</summary>
    public long SwapGas { get; init; } = MeasuredGas.PoolSwap;

    public void Validate() => Scenario.Check(SwapGas is >= 21_000 and <= 30_000_000, "arbitrage.swap_gas", SwapGas, "must lie in [21000, 30000000]");
}

/// <summary>The gas price: a log-Ornstein–Uhlenbeck process around a mean, in gwei; ETH priced in quote.</summary>
public sealed record GasProcess
{
    public double MeanGwei { get; init; } = 20;
    public double ReversionPerDay { get; init; } = 24;
    public double LogVolatilityPerDay { get; init; } = 2;
    public double EthPriceInQuote { get; init; } = 3000;

    public void Validate()
    {
        Scenario.Positive("gas.mean_gwei", MeanGwei);
        Scenario.NonNegative("gas.reversion_per_day", ReversionPerDay);
        Scenario.NonNegative("gas.log_volatility_per_day", LogVolatilityPerDay);
        Scenario.Positive("gas.eth_price_in_quote", EthPriceInQuote);
    }
}

/// <summary>The oracle reporter: posts the reference price when it moved past the deviation threshold or the heartbeat is due, and the volatility (annualised EWMA) with it.</summary>
public sealed record OracleSettings
{
    public double HeartbeatSeconds { get; init; } = 3600;
    public double DeviationBps { get; init; } = 50;

    /// <summary>Smoothing time of the reporter's EWMA volatility, days.</summary>
    public double VolatilitySmoothingDays { get; init; } = 1;

    public void Validate()
    {
        Scenario.Positive("oracle.heartbeat_seconds", HeartbeatSeconds);
        Scenario.NonNegative("oracle.deviation_bps", DeviationBps);
        Scenario.Positive("oracle.volatility_smoothing_days", VolatilitySmoothingDays);
    }
}

/// <summary>The treasury's inventory at the start (every strategy starts from it) and the static strategies' fee.</summary>
public sealed record PoolSetup
{
    public double BaseAmount { get; init; } = 1000;

    /// <summary>Quote amount; 0 = balanced (base × initial price).</summary>
    public double QuoteAmount { get; init; }

    public int FeePips { get; init; } = 3000;

    public void Validate()
    {
        Scenario.Positive("pool.base_amount", BaseAmount);
        Scenario.NonNegative("pool.quote_amount", QuoteAmount);
        Scenario.Check(FeePips is >= 0 and < 1_000_000, "pool.fee_pips", FeePips, "must lie in [0, 1000000)");
    }
}

/// <summary>The strategies' settings (the same for every scenario unless a scenario overrides them).</summary>
public sealed record StrategyParameters
{
    /// <summary>Static concentrated range: log half-width.</summary>
    public double StaticHalfWidth { get; init; } = 0.2;

    /// <summary>Passive (Charm Alpha Vaults v2 defaults, as published in Charm's own tests): base range log half-width
    /// (2400 ticks ≈ 0.24), limit range log width (1200 ticks ≈ 0.12), the full range's weight (30% of the liquidity the
    /// inventory funds there), rebalance period (daily), TWAP guard.</summary>
    public double PassiveBaseHalfWidth { get; init; } = 0.24;
    public double PassiveLimitWidth { get; init; } = 0.12;
    public double PassiveFullRangeWeight { get; init; } = 0.3;
    public double PassivePeriodDays { get; init; } = 1;
    public double PassiveTwapSeconds { get; init; } = 600;
    public double PassiveMaxTwapDeviationBps { get; init; } = 200;

    /// <summary>Gas of one passive rebalance: three Uniswap v3 positions (full range, base, limit) burnt and minted
    /// (3 × <see cref="MeasuredGas.UniswapV3Reposition"/>).</summary>
    public long PassiveRebalanceGas { get; init; } = 3 * MeasuredGas.UniswapV3Reposition;

    /// <summary>Managed: the keeper's settings (Keeper StrategySettings) and the vault's policy.</summary>
    public double RiskAversion { get; init; } = 1e-4;
    public double HorizonDays { get; init; } = 1;
    public double RangeStdDevs { get; init; } = 2;
    public double BenefitToGasMargin { get; init; } = 2;
    public int TargetBaseShareBps { get; init; } = 5000;
    public int HardLimitBps { get; init; } = 3000;

    /// <summary>Gas of one vault.rebalance (<see cref="MeasuredGas.VaultRebalance"/>).</summary>
    public long ManagedRebalanceGas { get; init; } = MeasuredGas.VaultRebalance;
    public double BaseFeeCeilingGwei { get; init; } = 30;

    /// <summary>The keeper decides every this many steps.</summary>
    public int KeeperEverySteps { get; init; } = 1;

    public int MinFeePips { get; init; } = 500;
    public int MaxFeePips { get; init; } = 10_000;
    public int MaxSkewBps { get; init; } = 200;
    public int MaxTwapDeviationBps { get; init; } = 200;
    public int TwapWindowSeconds { get; init; } = 600;
    public int MinWidthBps { get; init; } = 100;
    /// <summary>
    /// The widest range the vault's policy allows, in bps of p_b/p_a − 1, at most the vault's finite ceiling 10,000,000
    /// (p_b/p_a = 1,001, 1.21 times a full range's loss to arbitrage), or <see cref="UnboundedWidthBps"/> (the default): no
    /// upper bound, so the width's gate, which chooses the widest allowed while fees do not pay for concentrating
    /// (docs/models.md, "The width"), can hold a full range. A finite bound forces a concentration nobody chose: at
    /// 10,000,000 managed's spread was 1.2–1.4 times full range's for a higher mean, and its Sharpe ratio below it in all
    /// four fair scenarios (docs/simulation.md, "fourth pass").
    /// </summary>
    public long MaxWidthBps { get; init; } = UnboundedWidthBps;

    /// <summary>TreasuryVault.MAX_WIDTH_BPS: the widest finite width bound the vault accepts.</summary>
    public const long VaultMaxWidthBps = 10_000_000;

    /// <summary>TreasuryVault.UNBOUNDED_WIDTH_BPS (type(uint32).max): no upper bound on the width.</summary>
    public const long UnboundedWidthBps = Models.Policy.VaultPolicyMath.UnboundedWidthBps;
    public int MinRebalanceIntervalSeconds { get; init; } = 60;
    public int MinBaseShareBps { get; init; } = 1000;
    public int MaxBaseShareBps { get; init; } = 9000;

    /// <summary>The vault's allowInventoryRecovery: a rebalance may re-centre a pool whose base share left the bounds (skew toward the target only).</summary>
    public bool AllowInventoryRecovery { get; init; } = true;

    public void Validate()
    {
        Scenario.Check(StaticHalfWidth is > 0.0001 and < 13, "strategies.static_half_width", StaticHalfWidth, "must lie in (0.0001, 13)");
        Scenario.Check(PassiveBaseHalfWidth is > 0.0001 and < 13, "strategies.passive_base_half_width", PassiveBaseHalfWidth, "must lie in (0.0001, 13)");
        Scenario.Check(PassiveLimitWidth is > 0.0001 and < 13, "strategies.passive_limit_width", PassiveLimitWidth, "must lie in (0.0001, 13)");
        Scenario.Check(PassiveFullRangeWeight is >= 0 and < 1, "strategies.passive_full_range_weight", PassiveFullRangeWeight, "must lie in [0, 1)");
        Scenario.Positive("strategies.passive_period_days", PassivePeriodDays);
        Scenario.Positive("strategies.passive_twap_seconds", PassiveTwapSeconds);
        Scenario.NonNegative("strategies.passive_max_twap_deviation_bps", PassiveMaxTwapDeviationBps);
        Scenario.Check(PassiveRebalanceGas >= 0, "strategies.passive_rebalance_gas", PassiveRebalanceGas, "must be ≥ 0");
        Scenario.Positive("strategies.risk_aversion", RiskAversion);
        Scenario.Positive("strategies.horizon_days", HorizonDays);
        Scenario.Positive("strategies.range_std_devs", RangeStdDevs);
        Scenario.NonNegative("strategies.benefit_to_gas_margin", BenefitToGasMargin);
        Scenario.Check(TargetBaseShareBps is >= 0 and <= 10_000, "strategies.target_base_share_bps", TargetBaseShareBps, "must lie in [0, 10000]");
        Scenario.Check(HardLimitBps is > 0 and <= 10_000, "strategies.hard_limit_bps", HardLimitBps, "must lie in (0, 10000]");
        Scenario.Check(ManagedRebalanceGas >= 21_000, "strategies.managed_rebalance_gas", ManagedRebalanceGas, "must be ≥ 21000");
        Scenario.Positive("strategies.base_fee_ceiling_gwei", BaseFeeCeilingGwei);
        Scenario.Check(KeeperEverySteps >= 1, "strategies.keeper_every_steps", KeeperEverySteps, "must be ≥ 1");
        Scenario.Check(MinFeePips >= 0 && MinFeePips <= MaxFeePips && MaxFeePips < 1_000_000, "strategies.min_fee_pips", MinFeePips, "must satisfy 0 ≤ min_fee_pips ≤ max_fee_pips < 1000000");
        Scenario.Check(MaxSkewBps > 0, "strategies.max_skew_bps", MaxSkewBps, "must be positive");
        Scenario.Check(MaxTwapDeviationBps > 0, "strategies.max_twap_deviation_bps", MaxTwapDeviationBps, "must be positive");
        Scenario.Check(TwapWindowSeconds > 0, "strategies.twap_window_seconds", TwapWindowSeconds, "must be positive");
        Scenario.Check(MinWidthBps > 0 && MinWidthBps < MaxWidthBps, "strategies.min_width_bps", MinWidthBps, "must be positive and below max_width_bps");
        Scenario.Check(MaxWidthBps <= VaultMaxWidthBps || MaxWidthBps == UnboundedWidthBps, "strategies.max_width_bps", MaxWidthBps,
            $"must be at most {VaultMaxWidthBps} (the vault's MAX_WIDTH_BPS), or {UnboundedWidthBps} for no upper bound (UNBOUNDED_WIDTH_BPS)");
        Scenario.Check(MinRebalanceIntervalSeconds >= 0, "strategies.min_rebalance_interval_seconds", MinRebalanceIntervalSeconds, "must be ≥ 0");
        Scenario.Check(MinBaseShareBps >= 0 && MinBaseShareBps < MaxBaseShareBps && MaxBaseShareBps <= 10_000, "strategies.min_base_share_bps", MinBaseShareBps, "must satisfy 0 ≤ min < max_base_share_bps ≤ 10000");
    }
}

/// <summary>How the perp's funding rate is set each interval (PerpMarket: no index feed, or an index feed).</summary>
public enum FundingMode
{
    /// <summary>A fixed rate per interval (<see cref="PerpSettings.FundingRatePerInterval"/>); positive: longs pay shorts.</summary>
    Rate,
    /// <summary>The premium of the mark (the oracle's price) over the index (the reference price): (mark − index)/index per interval.</summary>
    Premium,
}

/// <summary>
/// The in-memory perpetuals venue (<see cref="InMemoryPerp"/>, PerpMarket's accounting) and the hedge of the
/// "hedged" / "defended" strategies. Defaults: PerpDeploymentSettings' market (fee 0.05%, initial margin 10%,
/// maintenance 5%, penalty 2%, hourly intervals) with funding 0.00125% per hour (0.01% per 8 h, longs pay), a full
/// hedge (ratio 1) with the margin kept at 20% of the notional, and the gas of one vault.adjustHedge (docs/gas.md).
/// </summary>
public sealed record PerpSettings
{
    public FundingMode FundingMode { get; init; } = FundingMode.Rate;

    /// <summary>Rate mode: the funding rate per interval as a fraction (1.25e-5 = 0.00125%); rounded to PerpMarket's 1e-18 (wad).</summary>
    public double FundingRatePerInterval { get; init; } = 1.25e-5;

    public int FundingIntervalSeconds { get; init; } = 3600;
    public int FeePips { get; init; } = 500;
    public int InitialMarginPips { get; init; } = 100_000;
    public int MaintenanceMarginPips { get; init; } = 50_000;
    public int LiquidationPenaltyPips { get; init; } = 20_000;

    /// <summary>h: the hedge's target position is −h·(x(P) − the starting base) ("hedged", "defended"; −h·x(P) for the "-inventory" variants; 0 none, 1 neutral).</summary>
    public double HedgeRatio { get; init; } = 1;

    /// <summary>The margin (equity) the hedge keeps per unit of notional: reset to it by every hedge trade, and topped up or drawn down (one hedge's gas) when the equity leaves [ratio/2, ratio·2].</summary>
    public double TargetMarginRatio { get; init; } = 0.2;

    /// <summary>Gas of one hedge transaction (<see cref="MeasuredGas.VaultAdjustHedgeSizeOnly"/>).</summary>
    public long HedgeGas { get; init; } = MeasuredGas.VaultAdjustHedgeSizeOnly;

    /// <summary>The rate as PerpMarket's fundingRateWad.</summary>
    [JsonIgnore]
    public System.Numerics.BigInteger FundingRateWad => new(Math.Round(FundingRatePerInterval * 1e18));

    public void Validate()
    {
        Scenario.Check(double.IsFinite(FundingRatePerInterval) && Math.Abs(FundingRatePerInterval) <= 0.01, "perp.funding_rate_per_interval", FundingRatePerInterval, "must lie in [−0.01, 0.01] (a fraction per interval)");
        Scenario.Check(FundingIntervalSeconds is > 0 and <= 86_400 * 30, "perp.funding_interval_seconds", FundingIntervalSeconds, "must lie in [1, 2592000]");
        Scenario.Check(FeePips is >= 0 and < 1_000_000, "perp.fee_pips", FeePips, "must lie in [0, 1000000)");
        Scenario.Check(MaintenanceMarginPips is > 0 and < 1_000_000, "perp.maintenance_margin_pips", MaintenanceMarginPips, "must lie in [1, 1000000)");
        Scenario.Check(InitialMarginPips > MaintenanceMarginPips && InitialMarginPips <= 1_000_000, "perp.initial_margin_pips", InitialMarginPips, "must lie in (maintenance_margin_pips, 1000000]");
        Scenario.Check(LiquidationPenaltyPips >= 0 && LiquidationPenaltyPips <= MaintenanceMarginPips, "perp.liquidation_penalty_pips", LiquidationPenaltyPips, "must lie in [0, maintenance_margin_pips]");
        Scenario.Check(HedgeRatio is >= 0 and <= 1, "perp.hedge_ratio", HedgeRatio, "must lie in [0, 1] (0 none, 1 delta-neutral)");
        Scenario.Check(double.IsFinite(TargetMarginRatio) && TargetMarginRatio / 2 > MaintenanceMarginPips / 1e6 && TargetMarginRatio > InitialMarginPips / 1e6 && TargetMarginRatio <= 10,
            "perp.target_margin_ratio", TargetMarginRatio, "must exceed initial_margin_pips/1e6 and 2·maintenance_margin_pips/1e6 (its lower trigger is half of it), and be ≤ 10");
        Scenario.Check(HedgeGas >= 21_000, "perp.hedge_gas", HedgeGas, "must be ≥ 21000");
    }
}

/// <summary>How the outside venue's price moves with an order's size.</summary>
public enum VenueDepthModel
{
    /// <summary>The venue's price moves by <see cref="OutsideVenueSettings.ImpactPerQuote"/> (a fraction) per unit of quote traded; an order of Q pays half of the move on average.</summary>
    Linear,
    /// <summary>A constant-product book holding <see cref="OutsideVenueSettings.DepthQuote"/> of quote (and as much base at the reference price).</summary>
    ConstantProduct,
}

/// <summary>How a routed noise order prices the pool.</summary>
public enum PoolCostModel
{
    /// <summary>The pool's fee plus its price impact, from the pool's own price: 1 − value received / value paid, both at the pool's price before the order.</summary>
    FeeAndImpact,
    /// <summary>The order's execution against the reference: 1 − value received / value paid at the reference price, so a stale pool price (anywhere in its no-arbitrage band) helps or hurts (a router that sees every venue's execution price).</summary>
    Execution,
}

/// <summary>
/// Fair market, part 1: an outside venue (a CEX or another pool) quoting around the reference price with its own
/// half-spread and depth. When enabled, each noise order goes to the pool or the venue by all-in cost: the pool's
/// cost is the order's exact quote on the pool (fee, price impact at the pool's current curve and liquidity, and the
/// pool's distance from the reference), the venue's its half-spread plus its impact; a pool that cannot fill the
/// whole order loses it. A <see cref="CaptiveShare"/> of the orders always goes to the pool (thinned, as without a
/// venue, by e^(−k·fee)). The venue is resilient (back at the reference for every order) and not part of the PnL.
/// </summary>
public sealed record OutsideVenueSettings
{
    public bool Enabled { get; init; }

    /// <summary>The venue's half-spread, basis points of the reference price.</summary>
    public double HalfSpreadBps { get; init; } = 5;

    public VenueDepthModel DepthModel { get; init; } = VenueDepthModel.Linear;

    /// <summary>Linear model: price move (fraction) per unit of quote traded (1e-9: 1 bp per 100,000 quote).</summary>
    public double ImpactPerQuote { get; init; } = 1e-9;

    /// <summary>Constant-product model: the venue's quote reserve (its base reserve is worth as much at the reference).</summary>
    public double DepthQuote { get; init; } = 10_000_000;

    /// <summary>Fraction of noise orders that always go to the pool (subject to the fee-only thinning e^(−k·fee)).</summary>
    public double CaptiveShare { get; init; }

    /// <summary>How the pool's cost is measured (its fee and impact from its own price, or its execution against the reference).</summary>
    public PoolCostModel PoolCost { get; init; } = PoolCostModel.FeeAndImpact;

    public void Validate()
    {
        Scenario.Check(double.IsFinite(HalfSpreadBps) && HalfSpreadBps is >= 0 and < 10_000, "venue.half_spread_bps", HalfSpreadBps, "must lie in [0, 10000)");
        Scenario.NonNegative("venue.impact_per_quote", ImpactPerQuote);
        Scenario.Positive("venue.depth_quote", DepthQuote);
        Scenario.Check(CaptiveShare is >= 0 and <= 1, "venue.captive_share", CaptiveShare, "must lie in [0, 1]");
    }

    /// <summary>The venue's all-in cost of an order worth <paramref name="sizeQuote"/> at the reference, as a fraction of it (either side: the venue is symmetric).</summary>
    public double Cost(double sizeQuote)
    {
        var h = HalfSpreadBps / 10_000;
        if (DepthModel == VenueDepthModel.Linear) return h + ImpactPerQuote * sizeQuote / 2;
        // x·y = k with y = D, x = D/S: an order net of the spread, Q(1 − h), gets D·Q(1 − h)/(D + Q(1 − h)) worth at S
        var net = sizeQuote * (1 - h);
        return 1 - (1 - h) * DepthQuote / (DepthQuote + net);
    }
}

/// <summary>
/// Fair market, part 2: other liquidity providers in the treasury's pool (Uniswap v3 style). Their liquidity is one
/// constant-product position of <see cref="LiquidityQuote"/> (quote value at the starting price) over ±<see cref="HalfWidth"/>
/// (log) around the starting price. A swap moves the one pool price through the sum of the liquidities in range,
/// so price impact uses the total; each LP earns the fee on its part, so the treasury's fee share is its in-range
/// liquidity over all the in-range liquidity.
/// </summary>
public sealed record OtherLiquiditySettings
{
    /// <summary>Value of the other LPs' position at the starting price, quote (0: none).</summary>
    public double LiquidityQuote { get; init; }

    /// <summary>Log half-width of their range around the starting price (default: the full range the full-range strategy uses).</summary>
    public double HalfWidth { get; init; } = 11.5129;

    public void Validate()
    {
        Scenario.NonNegative("other_lps.liquidity_quote", LiquidityQuote);
        Scenario.Check(HalfWidth is > 0.0001 and <= 11.5129, "other_lps.half_width", HalfWidth, "must lie in (0.0001, 11.5129]");
    }
}
