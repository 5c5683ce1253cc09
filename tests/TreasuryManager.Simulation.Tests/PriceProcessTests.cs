using TreasuryManager.Models.Reproduction;

namespace TreasuryManager.Simulation.Tests;

/// <summary>The processes' moments against theory, with tolerances of 5 standard errors from the sample size (fixed seeds).</summary>
public sealed class PriceProcessTests
{
    private static double[] LogReturns(PriceProcess p, int paths, int steps, double dt, ulong seed)
    {
        var r = new double[paths];
        for (var i = 0; i < paths; i++)
        {
            var path = PriceProcesses.Path(p, steps, dt, new Xoshiro256(Xoshiro256.Derive(seed, (ulong)i)));
            r[i] = Math.Log(path[steps] / path[0]);
        }
        return r;
    }

    private static (double Mean, double Var, double VarOfSquares) Moments(double[] x)
    {
        var mean = x.Average();
        var v = x.Sum(a => (a - mean) * (a - mean)) / (x.Length - 1);
        var sq = x.Select(a => (a - mean) * (a - mean)).ToArray();
        var vsq = sq.Sum(a => (a - v) * (a - v)) / (x.Length - 1);
        return (mean, v, vsq);
    }

    private static void Near(double expected, double actual, double standardError, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 5 * standardError, $"{what}: {actual} vs {expected} (5 SE = {5 * standardError})");

    [Fact]
    public void Gbm_log_returns_have_mean_mu_minus_half_sigma_squared_and_variance_sigma_squared_t()
    {
        var p = new PriceProcess { Model = PriceModel.Gbm, DriftPerDay = 0.05, VolatilityPerDay = 0.04 };
        const int n = 4000;
        const double t = 10;
        var x = LogReturns(p, n, 100, t / 100, 1);
        var (mean, variance, vsq) = Moments(x);
        Near((0.05 - 0.5 * 0.04 * 0.04) * t, mean, Math.Sqrt(0.04 * 0.04 * t / n), "mean");
        Near(0.04 * 0.04 * t, variance, Math.Sqrt(vsq / n), "variance");
        // E[S_T] = S_0·e^(μT)
        var growth = x.Select(v => Math.Exp(v)).ToArray();
        var (gm, gv, _) = Moments(growth);
        Near(Math.Exp(0.05 * t), gm, Math.Sqrt(gv / n), "E[S_T/S_0]");
    }

    [Fact]
    public void Jump_diffusion_adds_lambda_t_times_the_jump_moments()
    {
        var p = new PriceProcess { Model = PriceModel.JumpDiffusion, VolatilityPerDay = 0.02, JumpsPerDay = 2, JumpMean = -0.02, JumpStd = 0.05 };
        const int n = 4000;
        const double t = 5;
        var x = LogReturns(p, n, 500, t / 500, 2);
        var (mean, variance, vsq) = Moments(x);
        var expectedVar = 0.02 * 0.02 * t + 2 * t * (0.02 * 0.02 + 0.05 * 0.05);
        Near(-0.5 * 0.02 * 0.02 * t + 2 * t * -0.02, mean, Math.Sqrt(expectedVar / n), "mean");
        Near(expectedVar, variance, Math.Sqrt(vsq / n), "variance");
    }

    [Fact]
    public void Regime_switching_variance_is_the_stationary_mix_of_the_two_levels()
    {
        // a = 1/day to high, b = 3/day to low: π_high = a/(a+b) = 1/4; starting low, E[time high] over T is
        // π_high·(T − (1 − e^(−(a+b)T))/(a+b)).
        var p = new PriceProcess { Model = PriceModel.RegimeSwitching, VolatilityPerDay = 0.02, HighVolatilityPerDay = 0.1, ToHighPerDay = 1, ToLowPerDay = 3 };
        const int n = 3000;
        const double t = 10;
        var x = LogReturns(p, n, 2000, t / 2000, 3);
        var (_, variance, vsq) = Moments(x);
        var highTime = 0.25 * (t - (1 - Math.Exp(-4 * t)) / 4);
        var expected = 0.02 * 0.02 * (t - highTime) + 0.1 * 0.1 * highTime;
        Near(expected, variance, Math.Sqrt(vsq / n), "variance");
        Assert.True(variance > 1.5 * 0.02 * 0.02 * t, "the high regime adds variance");
    }

    [Fact]
    public void Gas_log_price_reverts_to_its_mean_with_the_ou_stationary_variance()
    {
        var g = new GasProcess { MeanGwei = 20, ReversionPerDay = 24, LogVolatilityPerDay = 2 };
        var path = MarketPath.GasPath(g, 200_000, 1.0 / 288, new Xoshiro256(4));
        var logs = path.Skip(1000).Select(v => Math.Log(v)).ToArray();
        var mean = logs.Average();
        var variance = logs.Sum(a => (a - mean) * (a - mean)) / (logs.Length - 1);
        var stationary = 2.0 * 2.0 / (2 * 24);
        // autocorrelated samples: effective size ≈ n·(1 − ρ)/(1 + ρ), ρ = e^(−κ·dt)
        var rho = Math.Exp(-24.0 / 288);
        var effective = logs.Length * (1 - rho) / (1 + rho);
        Near(Math.Log(20), mean, Math.Sqrt(stationary / effective), "mean of ln gas");
        Near(stationary, variance, stationary * Math.Sqrt(2 / effective), "variance of ln gas");
    }

    [Fact]
    public void The_crash_jumps_at_its_step_and_informed_traders_crowd_in_before_it()
    {
        var s = ScenarioCatalog.Load("crash");
        var path = MarketPath.Generate(s, 8);
        var k = s.Price.ShockStep;
        Assert.True(path.Reference[k] / path.Reference[k - 1] < 0.8, "a −30% jump at the shock step");
        var window = path.Informed.Count(a => a.Step > k - s.Informed.BeforeShockSteps && a.Step <= k);
        var before = path.Informed.Count(a => a.Step > k - 2 * s.Informed.BeforeShockSteps && a.Step <= k - s.Informed.BeforeShockSteps);
        Assert.True(window > 3 * Math.Max(1, before), $"{window} informed arrivals in the window vs {before} before it");
        // the oracle never lags past its heartbeat
        for (var t = 0; t <= s.Steps; t++) Assert.True(path.Timestamp(t) - path.OracleUpdatedAt[t] <= s.Oracle.HeartbeatSeconds);
    }
}
