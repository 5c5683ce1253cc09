using TreasuryManager.Keeper.Configuration;

namespace TreasuryManager.Simulation;

/// <summary>The keeper's settings for a scenario's "managed" strategy — one definition for the in-memory Decider and the on-chain keeper.</summary>
public static class ManagedParameters
{
    public static (PoolSettings Pool, StrategySettings Strategy, GasSettings Gas) From(Scenario s)
    {
        var p = s.Strategies;
        var pool = new PoolSettings { Address = "0x00000000000000000000000000000000000000a1", Name = "sim", TargetBaseShareBps = p.TargetBaseShareBps, HardLimitBps = p.HardLimitBps };
        var strategy = new StrategySettings
        {
            RiskAversion = p.RiskAversion, IntensityA = Math.Max(s.Noise.ArrivalsPerDay, 1e-9), IntensityK = Math.Max(s.Noise.K, 1e-9),
            HorizonDays = p.HorizonDays, RangeStdDevs = p.RangeStdDevs, BenefitToGasMargin = p.BenefitToGasMargin,
            AssumedRebalanceGas = p.ManagedRebalanceGas,
        };
        var gas = new GasSettings { EthPriceInQuote = (decimal)s.Gas.EthPriceInQuote, BaseFeeCeilingGwei = (decimal)p.BaseFeeCeilingGwei, MaxFeePerGasGwei = Math.Max(100m, (decimal)p.BaseFeeCeilingGwei) };
        return (pool, strategy, gas);
    }
}
