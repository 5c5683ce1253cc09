using System.Globalization;
using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Keeper.Configuration;

/// <summary>
/// The per-pool numbers that are in units of a pool's quote token: ETH's price (to turn gas into quote) and γ. A
/// keeper can manage pools on several quote tokens in one vault (BASE/WETH next to BASE/USDC): gas paid in ETH costs
/// 1 WETH per ETH in the first and ≈ 3000 USDC per ETH in the second, so one <see cref="GasSettings.EthPriceInQuote"/>
/// cannot price both. Each pool's price is its <see cref="PoolSettings.EthPriceInQuote"/>, else the shared
/// <see cref="GasSettings.EthPriceInQuote"/> — which is only allowed while every managed pool quotes in the same
/// token: a missing per-pool price among mixed quotes is a <see cref="SettingsException"/> naming the pool.
/// </summary>
public static class QuotePricing
{
    /// <summary>Each pool's gas settings with <see cref="GasSettings.EthPriceInQuote"/> in that pool's quote.</summary>
    public static IReadOnlyDictionary<Address, GasSettings> GasPerPool(TreasurySettings settings, IReadOnlyList<PoolIdentity> pools)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(pools);
        var quotes = pools.Select(p => p.Token1).Distinct().ToArray();
        var result = new Dictionary<Address, GasSettings>();
        foreach (var pool in pools)
        {
            var (index, configured) = Find(settings, pool.Pool);
            if (configured.EthPriceInQuote is { } own)
            {
                result[pool.Pool] = settings.Gas with { EthPriceInQuote = own };
                continue;
            }
            if (quotes.Length > 1)
            {
                var others = string.Join(", ", quotes.Where(q => q != pool.Token1).Select(q => q.ToString()));
                throw new SettingsException($"Pools:{index}:EthPriceInQuote",
                    $"is missing for pool {configured.Label}: the managed pools quote in {quotes.Length} tokens (this one in {pool.Token1}, others in {others}), " +
                    $"so the single Gas:EthPriceInQuote ({settings.Gas.EthPriceInQuote.ToString(CultureInfo.InvariantCulture)}) cannot price every pool's gas; " +
                    $"set Pools:{index}:EthPriceInQuote to ETH's price in {pool.Token1} (1 for WETH, ≈ 3000 for a USD stablecoin)");
            }
            result[pool.Pool] = settings.Gas;
        }
        return result;
    }

    /// <summary>Each pool's strategy with <see cref="StrategySettings.RiskAversion"/> in that pool's quote.</summary>
    public static IReadOnlyDictionary<Address, StrategySettings> StrategyPerPool(TreasurySettings settings, IReadOnlyList<PoolIdentity> pools) =>
        pools.ToDictionary(p => p.Pool, p => Find(settings, p.Pool).Pool.RiskAversion is { } g ? settings.Strategy with { RiskAversion = g } : settings.Strategy);

    private static (int Index, PoolSettings Pool) Find(TreasurySettings settings, Address pool)
    {
        for (var i = 0; i < settings.Pools.Length; i++)
            if (Address.TryParse(settings.Pools[i].Address, out var a) && a == pool) return (i, settings.Pools[i]);
        throw new SettingsException("Pools", $"does not list the observed pool {pool}; list it with its Address");
    }
}
