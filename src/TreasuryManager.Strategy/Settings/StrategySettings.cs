using System.Globalization;

namespace TreasuryManager.Strategy.Settings;

/// <summary>The decision's model parameters (docs/models.md: GLFT quotes, the band). Time unit: one day. Configuration section "Strategy".</summary>
public sealed record StrategySettings
{
    [Setting("Risk aversion gamma, per quote token (human units)."), Positive]
    public double RiskAversion { get; init; } = 1e-4;

    [Setting("A: trades per day at distance 0, used until the intensity estimator is ready."), Positive]
    public double IntensityA { get; init; } = 200;

    [Setting("k: decay of the trade intensity per unit of relative distance from the mid price (used until the estimator is ready)."), Positive]
    public double IntensityK { get; init; } = 300;

    [Setting("How long a new curve is meant to stand, in days (0 < value <= 365): sets the range width and the benefit's horizon."), Bounds(0, 365, MinExclusive = true)]
    public double HorizonDays { get; init; } = 1;

    [Setting("Range half-width, in standard deviations of the log price over the horizon (0 < value <= 100)."), Bounds(0, 100, MinExclusive = true)]
    public double RangeStdDevs { get; init; } = 2;

    [Setting("A rebalance is planned only when its expected benefit is at least this many times its gas cost (ratio, >= 0)."), Bounds(0, double.MaxValue)]
    public double BenefitToGasMargin { get; init; } = 2;

    [Setting("Gas assumed for one rebalance before the Guard's first eth_estimateGas of that pool's rebalance, in gas units; then the pool's last estimate (the measured vault.rebalance is about 75,000, a Uniswap v3 re-range about 405,000: docs/gas.md)."), Bounds(21_000, 30_000_000)]
    public long AssumedRebalanceGas { get; init; } = 90_000;

    [Setting("How the range's width is chosen: \"FeeVersusLvr\" (the default: the width maximising expected fees − loss to arbitrage − rebalancing per unit of the price risk the pool's hedge leaves — the most profitable width for a delta-neutral pool, the widest the policy allows for an unhedged one; the widest when fees cannot pay for the loss; docs/models.md \"The width\"; a pool inside its band is re-ranged when the gain beats the gas, an unhedged one from its first cycle) or \"StdDevs\" (RangeStdDevs standard deviations over the horizon).")]
    public RangeWidthRule RangeWidth { get; init; } = RangeWidthRule.FeeVersusLvr;

    [Setting("With FeeVersusLvr: how the treasury's fee income grows with its depth, 0..1 (0, the default: the treasury is its pool's only liquidity and its flow pays the same fees whatever the depth; 1: its share of a shared pool's fees is its share of liquidity). Measured on the simulator, 0.5 over-concentrates its own pool."), Bounds(0, 1)]
    public double FeeElasticity { get; init; } = 0;

    [Setting("How the fee is chosen: \"Fixed\" (the default: FixedFeePips, the operator's fee, kept as a Uniswap v3 pool's tier is, within the policy's bounds; measured better than either model on the simulator's fair markets and on real prices, docs/simulation.md), \"Model\" (the inventory model's half-spread, the GLFT quotes) or \"FeeVersusLvr\" (the fee maximising the noise flow's fees − the loss to arbitrage, stepping up with volatility; docs/models.md \"The fee\"; the model's fee until a quarter day of fees is seen). Within the policy's fee bounds either way.")]
    public FeeRule FeeRule { get; init; } = FeeRule.Fixed;

    [Setting("With FeeRule Fixed: the pool's fee in pips (1e-6; 3000 = 0.30%), kept by every rebalance within the policy's fee bounds; the toxic-flow defence raises it for a while and restores it."), Bounds(1, 999_999)]
    public int FixedFeePips { get; init; } = 3000;

    [Setting("With FeeRule FeeVersusLvr: seconds between two arbitrage opportunities on the pool's chain (a block: 12 on Ethereum), for the per-block volatility."), Positive]
    public double ArbitrageIntervalSeconds { get; init; } = 12;

    [Setting("How much of the skew the vault allows (toward the inventory target only) the centre uses, 0..1 (0: centre on the oracle; the inventory comes home only through flow on the reserves' own asymmetric fit; docs/models.md \"Inventory\")."), Bounds(0, 1)]
    public double InventorySkew { get; init; } = 1;

    [Setting("EWMA smoothing time of the pool's volatility estimate, in seconds."), Positive]
    public double VolatilitySmoothingSeconds { get; init; } = 3600;

    [Setting("The toxic-flow defence: while the pool's flow is one-sided (VPIN) or the volatility regime jumps, quote defensively (fee raised, range widened, within the vault's policy); restore after a calm spell.")]
    public DefenceSettings Defence { get; init; } = new();
}

/// <summary>How the Decider chooses the fee.</summary>
public enum FeeRule
{
    /// <summary>The inventory model's half-spread (GLFT), clamped into the policy.</summary>
    Model,
    /// <summary>The fee-versus-arbitrage trade-off (Models.Risk.FeeChoice), from the pool's observed fee income and the intensity's k.</summary>
    FeeVersusLvr,
    /// <summary>The operator's fee, <see cref="StrategySettings.FixedFeePips"/> (moved into the policy's bounds if it lies
    /// outside them), as a Uniswap v3 pool's tier is fixed; the defence still raises it for a while and restores it.</summary>
    Fixed,
}

/// <summary>How the Decider chooses the range's width.</summary>
public enum RangeWidthRule
{
    /// <summary>± RangeStdDevs·σ·√horizon around the centre (the GLFT quotes' range).</summary>
    StdDevs,
    /// <summary>The fee-versus-LVR trade-off (Models.Risk.RangeWidth), from the pool's observed fee income.</summary>
    FeeVersusLvr,
}

/// <summary>
/// The toxic-flow defence (issue 7, docs/models.md "Estimators — high forecast toxicity widens the fee or withdraws depth
/// before the move"): when the pool's flow turns one-sided (VPIN over the trades that move the pool away from the
/// oracle) or the volatility regime jumps (short EWMA σ over the long one), the keeper re-quotes the pool defensively —
/// the fee raised within the policy and the range widened (depth withdrawn) — and restores the normal curve once both
/// signals have been calm for <see cref="CalmSeconds"/>. Defaults are argued in <c>ToxicFlowMonitor</c>. Section "Strategy:Defence".
/// </summary>
public sealed record DefenceSettings : ISettingsSection
{
    [Setting("Whether the defence acts (the estimators run and log either way).")]
    public bool Enabled { get; init; }

    [Setting("VPIN (0..1] at or above which the flow is toxic; the calm tail on the simulator is about 0.8."), Bounds(0, 1, MinExclusive = true)]
    public double VpinThreshold { get; init; } = 0.8;

    [Setting("VPIN volume bucket, as a fraction (0..1] of the pool's value."), Bounds(0, 1, MinExclusive = true)]
    public double VpinBucketFraction { get; init; } = 0.03;

    [Setting("Complete buckets the VPIN averages (1..1000)."), Bounds(1, 1000)]
    public int VpinBuckets { get; init; } = 4;

    [Setting("Short over long EWMA volatility (> 1) at or above which the regime is violent."), Bounds(1, double.MaxValue, MinExclusive = true)]
    public double RegimeRatioThreshold { get; init; } = 5;

    [Setting("Smoothing time of the short (regime) volatility, in seconds."), Positive]
    public double RegimeSmoothingSeconds { get; init; } = 1800;

    [Setting("Smoothing time of the long volatility the short one is compared with, in seconds (longer than the short one)."), Positive]
    public double RegimeReferenceSeconds { get; init; } = 86_400;

    [Setting("The defensive fee as a multiple (>= 1) of the normal one, then clamped to the policy's maximum."), Bounds(1, double.MaxValue)]
    public double FeeMultiplier { get; init; } = 3;

    /// <remarks>4 takes a ±4% range to ±16%. 10 (±40%) cut the crash drawdown a little more (−4% on 30 paths) but the wider
    /// ranges it leaves behind after false alarms lowered the informed-drop detection rate (24 against 31 of 60 paths).</remarks>
    [Setting("The defensive range's width as a multiple (>= 1) of the normal one, then clamped to the policy's maximum."), Bounds(1, double.MaxValue)]
    public double WidenFactor { get; init; } = 4;

    [Setting("Seconds both signals must stay below their exit levels before the normal curve is restored (>= 0)."), Bounds(0, double.MaxValue)]
    public double CalmSeconds { get; init; } = 3600;

    [Setting("Exit level as a fraction (0..1] of each threshold (1: calm as soon as below the entry; lower is stickier)."), Bounds(0, 1, MinExclusive = true)]
    public double ExitFraction { get; init; } = 1;

    public IEnumerable<SettingProblem> CrossChecks(string path)
    {
        if (!(RegimeReferenceSeconds > RegimeSmoothingSeconds))
            yield return new SettingProblem(SettingsValidator.Join(path, nameof(RegimeReferenceSeconds)),
                $"must be longer than {SettingsValidator.Join(path, nameof(RegimeSmoothingSeconds))} ({RegimeSmoothingSeconds.ToString(CultureInfo.InvariantCulture)})")
            { Value = SettingsValidator.Show(RegimeReferenceSeconds) };
    }

    /// <summary>Throws a <see cref="SettingsException"/> listing every bad setting (paths under "Strategy:Defence").</summary>
    public DefenceSettings Validate() => SettingsValidator.Validate(this, "Strategy:Defence");
}
