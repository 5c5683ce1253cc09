using System.Numerics;
using TreasuryManager.Strategy.Inputs;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Simulation;

/// <summary>The keeper's settings for a scenario's "managed" strategy — one definition for the in-memory Decider and the on-chain keeper.</summary>
public static class ManagedParameters
{
    /// <summary>The gas terms the keeper prices with: ETH in quote, the base-fee ceiling of non-urgent plans and the fee cap (gwei).</summary>
    public sealed record GasTerms(double EthPriceInQuote, decimal BaseFeeCeilingGwei, decimal MaxFeePerGasGwei)
    {
        public BigInteger BaseFeeCeilingWei => new(decimal.Round(BaseFeeCeilingGwei * 1_000_000_000m, 0, MidpointRounding.ToZero));
    }

    public static (PoolTargets Targets, StrategySettings Strategy, GasTerms Gas) From(Scenario s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var p = s.Strategies;
        var targets = new PoolTargets(p.TargetBaseShareBps, p.HardLimitBps);
        var strategy = new StrategySettings
        {
            RiskAversion = p.RiskAversion, IntensityA = Math.Max(s.Noise.ArrivalsPerDay, 1e-9), IntensityK = Math.Max(s.Noise.K, 1e-9),
            HorizonDays = p.HorizonDays, RangeStdDevs = p.RangeStdDevs, BenefitToGasMargin = p.BenefitToGasMargin,
            AssumedRebalanceGas = p.ManagedRebalanceGas,
            ArbitrageIntervalSeconds = s.StepSeconds, // the simulated arbitrageur trades once a step
            FixedFeePips = Math.Max(s.Pool.FeePips, 1), // the scenario pool's fee, as the benchmarks keep it
        };
        var gas = new GasTerms(s.Gas.EthPriceInQuote, (decimal)p.BaseFeeCeilingGwei, Math.Max(100m, (decimal)p.BaseFeeCeilingGwei));
        return (targets, strategy, gas);
    }
}
