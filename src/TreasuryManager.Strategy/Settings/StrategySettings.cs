using System.Globalization;

namespace TreasuryManager.Strategy.Settings;

/// <summary>The decision's model parameters (docs/models.md: GLFT quotes, the band). Time unit: one day.</summary>
public sealed record StrategySettings
{
    /// <summary>γ, risk aversion per quote token (human units).</summary>
    public double RiskAversion { get; init; } = 1e-4;

    /// <summary>A, trades per day at distance 0, until the intensity estimator is ready.</summary>
    public double IntensityA { get; init; } = 200;

    /// <summary>k per unit of relative distance, until the intensity estimator is ready.</summary>
    public double IntensityK { get; init; } = 300;

    /// <summary>How long a new curve is meant to stand, days: sets the range width and the benefit's horizon.</summary>
    public double HorizonDays { get; init; } = 1;

    /// <summary>Range half-width in standard deviations of the log price over the horizon.</summary>
    public double RangeStdDevs { get; init; } = 2;

    /// <summary>A rebalance is planned only when its expected benefit is at least this many times its gas cost.</summary>
    public double BenefitToGasMargin { get; init; } = 2;

    /// <summary>Gas assumed for one rebalance before eth_estimateGas has run (the measured vault.rebalance is about 81,000).</summary>
    public long AssumedRebalanceGas { get; init; } = 90_000;

    /// <summary>EWMA smoothing time for the pool's volatility, seconds.</summary>
    public double VolatilitySmoothingSeconds { get; init; } = 3600;

    /// <summary>The toxic-flow defence (issue 7): off unless enabled.</summary>
    public DefenceSettings Defence { get; init; } = new();

    public void Validate()
    {
        Positive("Strategy:RiskAversion", RiskAversion);
        Positive("Strategy:IntensityA", IntensityA);
        Positive("Strategy:IntensityK", IntensityK);
        Positive("Strategy:HorizonDays", HorizonDays);
        Positive("Strategy:RangeStdDevs", RangeStdDevs);
        if (!(BenefitToGasMargin >= 0 && double.IsFinite(BenefitToGasMargin))) throw new SettingsException("Strategy:BenefitToGasMargin", $"{BenefitToGasMargin} must be ≥ 0");
        if (AssumedRebalanceGas < 21_000) throw new SettingsException("Strategy:AssumedRebalanceGas", $"{AssumedRebalanceGas} must be at least 21000");
        Positive("Strategy:VolatilitySmoothingSeconds", VolatilitySmoothingSeconds);
        Defence.Validate();
    }

    private static void Positive(string path, double v)
    {
        if (!(v > 0 && double.IsFinite(v))) throw new SettingsException(path, $"{v.ToString(CultureInfo.InvariantCulture)} must be a positive number");
    }
}

/// <summary>
/// The toxic-flow defence (issue 7, docs/models.md "Estimators — high forecast toxicity widens the fee or withdraws depth
/// before the move"): when the pool's flow turns one-sided (VPIN over the trades that move the pool away from the
/// oracle) or the volatility regime jumps (short EWMA σ over the long one), the keeper re-quotes the pool defensively —
/// the fee raised within the policy and the range widened (depth withdrawn) — and restores the normal curve once both
/// signals have been calm for <see cref="CalmSeconds"/>. Defaults are argued in <c>ToxicFlowMonitor</c>.
/// </summary>
public sealed record DefenceSettings
{
    /// <summary>Whether the defence acts (the estimators run either way, for the logs).</summary>
    public bool Enabled { get; init; }

    /// <summary>VPIN at or above which the flow is toxic.</summary>
    public double VpinThreshold { get; init; } = 0.8;

    /// <summary>Volume bucket of the VPIN, as a fraction of the pool's value.</summary>
    public double VpinBucketFraction { get; init; } = 0.03;

    /// <summary>Number of complete buckets the VPIN averages.</summary>
    public int VpinBuckets { get; init; } = 4;

    /// <summary>Short EWMA σ over the long (configured) σ at or above which the regime is violent.</summary>
    public double RegimeRatioThreshold { get; init; } = 5;

    /// <summary>Smoothing time of the short (regime) EWMA volatility, seconds.</summary>
    public double RegimeSmoothingSeconds { get; init; } = 1800;

    /// <summary>Smoothing time of the long EWMA volatility the short one is compared with, seconds.</summary>
    public double RegimeReferenceSeconds { get; init; } = 86_400;

    /// <summary>The defensive fee as a multiple of the normal one (then clamped to the policy's maximum).</summary>
    public double FeeMultiplier { get; init; } = 3;

    /// <summary>The defensive range's log width as a multiple of the normal one (then clamped to the policy's maximum):
    /// 4 takes a ±4% range to ±16%. 10 (±40%) cut the crash drawdown a little more (−4% on 30 paths) but the wider
    /// ranges it leaves behind after false alarms lowered the informed-drop detection rate (24 against 31 of 60 paths).</summary>
    public double WidenFactor { get; init; } = 4;

    /// <summary>How long both signals must stay below their exit levels before the normal curve is restored, seconds.</summary>
    public double CalmSeconds { get; init; } = 3600;

    /// <summary>Exit level as a fraction of each entry threshold (1: the calm spell starts when both are below their entries; lower is stickier).</summary>
    public double ExitFraction { get; init; } = 1;

    public void Validate()
    {
        if (!(VpinThreshold is > 0 and <= 1)) throw new SettingsException("Strategy:Defence:VpinThreshold", $"{VpinThreshold.ToString(CultureInfo.InvariantCulture)} must lie in (0, 1]");
        if (!(VpinBucketFraction is > 0 and <= 1)) throw new SettingsException("Strategy:Defence:VpinBucketFraction", $"{VpinBucketFraction.ToString(CultureInfo.InvariantCulture)} must lie in (0, 1]");
        if (VpinBuckets is < 1 or > 1000) throw new SettingsException("Strategy:Defence:VpinBuckets", $"{VpinBuckets} must lie in [1, 1000]");
        if (!(RegimeRatioThreshold > 1 && double.IsFinite(RegimeRatioThreshold))) throw new SettingsException("Strategy:Defence:RegimeRatioThreshold", $"{RegimeRatioThreshold.ToString(CultureInfo.InvariantCulture)} must be a number above 1");
        if (!(RegimeSmoothingSeconds > 0 && double.IsFinite(RegimeSmoothingSeconds))) throw new SettingsException("Strategy:Defence:RegimeSmoothingSeconds", $"{RegimeSmoothingSeconds.ToString(CultureInfo.InvariantCulture)} must be a positive number");
        if (!(RegimeReferenceSeconds > RegimeSmoothingSeconds && double.IsFinite(RegimeReferenceSeconds))) throw new SettingsException("Strategy:Defence:RegimeReferenceSeconds", $"{RegimeReferenceSeconds.ToString(CultureInfo.InvariantCulture)} must be longer than Strategy:Defence:RegimeSmoothingSeconds ({RegimeSmoothingSeconds.ToString(CultureInfo.InvariantCulture)})");
        if (!(FeeMultiplier >= 1 && double.IsFinite(FeeMultiplier))) throw new SettingsException("Strategy:Defence:FeeMultiplier", $"{FeeMultiplier.ToString(CultureInfo.InvariantCulture)} must be at least 1");
        if (!(WidenFactor >= 1 && double.IsFinite(WidenFactor))) throw new SettingsException("Strategy:Defence:WidenFactor", $"{WidenFactor.ToString(CultureInfo.InvariantCulture)} must be at least 1");
        if (!(CalmSeconds >= 0 && double.IsFinite(CalmSeconds))) throw new SettingsException("Strategy:Defence:CalmSeconds", $"{CalmSeconds.ToString(CultureInfo.InvariantCulture)} must be ≥ 0");
        if (!(ExitFraction is > 0 and <= 1)) throw new SettingsException("Strategy:Defence:ExitFraction", $"{ExitFraction.ToString(CultureInfo.InvariantCulture)} must lie in (0, 1]");
    }
}

