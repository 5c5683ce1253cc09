using System.Globalization;
using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.JsonRpc;

namespace TreasuryManager.Contracts.Deployment;

/// <summary>The parameters of a deployment; defaults: base 18 decimals, quote 6, price 2.0 on [1.8, 2.2], fee 0.3%.</summary>
public record TreasuryDeploymentSettings
{
    public int BaseDecimals { get; init; } = 18;
    public int QuoteDecimals { get; init; } = 6;
    /// <summary>The first pair's token symbols (also the oracle's descriptions, "BASE / USDQ").</summary>
    public string BaseSymbol { get; init; } = "BASE";
    public string QuoteSymbol { get; init; } = "USDQ";
    /// <summary>Human price: quote per base.</summary>
    public decimal Price { get; init; } = 2.0m;
    public decimal PriceLow { get; init; } = 1.8m;
    public decimal PriceHigh { get; init; } = 2.2m;
    public int FeePips { get; init; } = 3000;
    /// <summary>Deposited into the pool by the owner (human units).</summary>
    public decimal DepositBase { get; init; } = 100_000m;
    public decimal DepositQuote { get; init; } = 200_000m;
    /// <summary>Minted to the trader (human units).</summary>
    public decimal TraderBase { get; init; } = 100_000m;
    public decimal TraderQuote { get; init; } = 200_000m;
    public int ObservationCardinality { get; init; } = 16;
    /// <summary>Oracle price and volatility, 8 decimals; the price defaults to <see cref="Price"/> (the vault's deposit
    /// refuses a pool whose spot price is more than maxTwapDeviationBps from the oracle).</summary>
    public BigInteger OraclePrice { get => _oraclePrice ?? new BigInteger(decimal.Round(Price * 100_000_000m)); init => _oraclePrice = value; }
    private BigInteger? _oraclePrice;
    public BigInteger OracleVolatility { get; init; } = 65_000_000;
    public TreasuryVault.PolicyParams? Policy { get; init; }
    /// <summary>
    /// The vault's allowInventoryRecovery for every pool deployed (setAllowInventoryRecovery right after registration;
    /// the contract registers a pool with it off): on by default, so that after a crash leaves a pool outside its inventory
    /// bounds the keeper can still re-centre it on the oracle, steering only toward the target share.
    /// </summary>
    public bool AllowInventoryRecovery { get; init; } = true;
    /// <summary>
    /// Pools deployed into the one vault, at most <see cref="TreasuryDeployer.MaxPoolsPerVault"/>; every pool after the
    /// first is added by <see cref="TreasuryDeployer.AddPoolAsync(PoolDeploymentSettings)"/>.
    /// </summary>
    public int PoolCount { get; init; } = 1;
    /// <summary>An optional PerpMarket on (base, quote) wired as the pool's hedge market; null (the default) deploys none.</summary>
    public PerpDeploymentSettings? Perp { get; init; }
}

/// <summary>
/// One more pool for <see cref="TreasuryDeployer.AddPoolAsync(PoolDeploymentSettings)"/>: on the deployment's base and
/// <see cref="Quote"/> (any MintableERC20 of 6–18 decimals, e.g. a "USDC" from <see cref="TreasuryDeployer.DeployQuoteTokenAsync"/>),
/// at its own price and range (human quote per base), with its own deposit, and registered with the deployment's policy
/// on <see cref="PriceFeed"/>/<see cref="VolatilityFeed"/> — or with <see cref="Policy"/> whole. Every null falls back to
/// the deployment: its quote token, its settings' price, range, fee and deposit, its oracle's feeds. Pools that name the
/// same feed share it: one feed object, read once per keeper cycle, and a stale feed holds exactly the pools naming it.
/// </summary>
public sealed record PoolDeploymentSettings
{
    /// <summary>The pool's quote token (token1); null = <see cref="TreasuryDeployer.Quote"/>.</summary>
    public MintableERC20? Quote { get; init; }
    /// <summary>Human price (quote per base) and range; null = the deployment's. Give all three when the quote differs.</summary>
    public decimal? Price { get; init; }
    public decimal? PriceLow { get; init; }
    public decimal? PriceHigh { get; init; }
    public int? FeePips { get; init; }
    /// <summary>Deposited by the owner (minted first), human units of base and of this pool's quote; null = the deployment's.</summary>
    public decimal? DepositBase { get; init; }
    public decimal? DepositQuote { get; init; }
    /// <summary>Minted to the trader in this pool's quote (human units); null mints none (the deployment's quote is minted at deployment).</summary>
    public decimal? TraderQuote { get; init; }
    /// <summary>The price feed the pool's policy names; null = the deployment's (<see cref="TreasuryDeployer.PriceFeed"/>).</summary>
    public Address? PriceFeed { get; init; }
    /// <summary>The volatility feed; null = the deployment's; <see cref="Address.Zero"/> = none (the keeper's EWMA only).</summary>
    public Address? VolatilityFeed { get; init; }
    /// <summary>The whole policy (then <see cref="PriceFeed"/> and <see cref="VolatilityFeed"/> must be null); null = the deployment's policy on this pool's feeds.</summary>
    public TreasuryVault.PolicyParams? Policy { get; init; }
    /// <summary>The vault's allowInventoryRecovery for this pool; null = the deployment's (<see cref="TreasuryDeploymentSettings.AllowInventoryRecovery"/>).</summary>
    public bool? AllowInventoryRecovery { get; init; }
}

/// <summary>A VolatilityOracle deployed by <see cref="TreasuryDeployer.DeployOracleAsync"/> and its two feeds.</summary>
public sealed record DeployedOracle(VolatilityOracle Oracle, Address PriceFeed, Address VolatilityFeed);

/// <summary>
/// The optional PerpMarket of a deployment: mark = the oracle's price feed, funding at a configured rate (no index feed),
/// fee 0.05%, initial margin 10%, maintenance 5%, penalty 2%; funded as the counterparty, and the vault's hedge policy.
/// </summary>
public sealed record PerpDeploymentSettings
{
    public int Heartbeat { get; init; } = 3600;
    public int FundingInterval { get; init; } = 3600;
    /// <summary>Per interval, 1e18 = 100% (default 0.01%: longs pay).</summary>
    public BigInteger FundingRateWad { get; init; } = BigInteger.Pow(10, 14);
    public int TradeFeePips { get; init; } = 500;
    public int InitialMarginPips { get; init; } = 100_000;
    public int MaintenanceMarginPips { get; init; } = 50_000;
    public int LiquidationPenaltyPips { get; init; } = 20_000;
    /// <summary>Quote minted to the market so that it can pay winning positions (human units).</summary>
    public decimal MarketQuote { get; init; } = 100_000m;
    /// <summary>Quote minted to the vault for hedge margin (human units).</summary>
    public decimal VaultQuote { get; init; } = 20_000m;
    /// <summary>The vault's hedge policy: max notional (human quote) and min margin ratio (pips).</summary>
    public decimal MaxHedgeNotional { get; init; } = 50_000m;
    public int MinHedgeMarginRatioPips { get; init; } = 150_000;
}

/// <summary>
/// Deploys a whole TreasuryManager — tokens, oracle, vault, pool, roles, policy, funds — in the order
/// contracts/README.md gives, through the typed bindings. Accounts by index of <c>key</c>: 0 owner,
/// 1 keeper, 2 guardian, 3 trader, 4 reporter, 5 stranger. Used by the tests' fixture and the gas report.
/// <see cref="TreasuryDeploymentSettings.PoolCount"/> &gt; 1 (or <see cref="AddPoolAsync(TreasuryVault.PolicyParams?)"/>) adds pools on the same
/// tokens and feeds to the same vault, each registered with the policy and holding its own deposit (the keeper benchmark);
/// <see cref="AddPoolAsync(PoolDeploymentSettings)"/> adds pools on other quote tokens (<see cref="DeployQuoteTokenAsync"/>)
/// and other feeds (<see cref="DeployOracleAsync"/>), so that one vault holds e.g. BASE/WETH and BASE/USDC pools.
/// </summary>
public sealed class TreasuryDeployer
{
    public static readonly BigInteger Q96 = BigInteger.One << 96;
    public static readonly BigInteger Deadline = BigInteger.One << 40;
    public static readonly BigInteger MaxUint256 = (BigInteger.One << 256) - 1;
    /// <summary>"No observation hint": the vault searches the ring itself.</summary>
    public const int NoObservationHint = 65535;
    /// <summary>TreasuryVault.MAX_POOLS: registerPool reverts with TooManyPools past it (it bounds pauseAll's loop).</summary>
    public const int MaxPoolsPerVault = 16;

    private TreasuryDeployer(EthClient eth, string repositoryRoot, TreasuryDeploymentSettings settings)
    {
        Eth = eth;
        RepositoryRoot = repositoryRoot;
        Settings = settings;
    }

    public EthClient Eth { get; }
    public RpcClient Rpc => Eth.Rpc;
    public string RepositoryRoot { get; }
    public TreasuryDeploymentSettings Settings { get; }
    public AccountSender Owner { get; private set; } = null!;
    public AccountSender Keeper { get; private set; } = null!;
    public AccountSender Guardian { get; private set; } = null!;
    public AccountSender Trader { get; private set; } = null!;
    public AccountSender Reporter { get; private set; } = null!;
    public AccountSender Stranger { get; private set; } = null!;
    public MintableERC20 Base { get; private set; } = null!;
    public MintableERC20 Quote { get; private set; } = null!;
    public VolatilityOracle Oracle { get; private set; } = null!;
    public Address PriceFeed { get; private set; }
    public Address VolatilityFeed { get; private set; }
    public TreasuryVault Vault { get; private set; } = null!;
    /// <summary>The first pool.</summary>
    public ManagedPool Pool { get; private set; } = null!;
    /// <summary>Every pool in the vault, <see cref="Pool"/> first, in the order deployed.</summary>
    public IReadOnlyList<ManagedPool> Pools => _pools;
    private readonly List<ManagedPool> _pools = [];
    public TreasuryVault.PolicyParams Policy { get; private set; } = null!;
    /// <summary>The hedge market when <see cref="TreasuryDeploymentSettings.Perp"/> was set (or <see cref="DeployPerpAsync(PerpDeploymentSettings)"/> ran), else null.</summary>
    public PerpMarket? Perp { get; private set; }

    public HardhatArtifact Artifact(string name) => HardhatArtifact.Find(RepositoryRoot, name);

    /// <summary>The chain id of a local Hardhat or anvil node.</summary>
    public const long LocalChainId = 31337;

    /// <summary>Deploys and wires everything; the pool holds the deposit and the trader holds approved funds.</summary>
    public static async Task<TreasuryDeployer> DeployAsync(EthClient eth, string repositoryRoot, Func<int, EthKey> key, TreasuryDeploymentSettings? settings = null, long chainId = LocalChainId)
    {
        ArgumentNullException.ThrowIfNull(eth);
        ArgumentNullException.ThrowIfNull(key);
        if (settings is { PoolCount: < 1 or > MaxPoolsPerVault })
            throw new ArgumentOutOfRangeException(nameof(settings), settings.PoolCount,
                $"PoolCount {settings.PoolCount} must lie in [1, {MaxPoolsPerVault}]: the vault registers at most MAX_POOLS = {MaxPoolsPerVault} pools");
        var d = new TreasuryDeployer(eth, repositoryRoot, settings ?? new TreasuryDeploymentSettings());
        var s = d.Settings;
        d.Owner = await AccountSender.ConnectAsync(eth, key(0), chainId);
        d.Keeper = await AccountSender.ConnectAsync(eth, key(1), chainId);
        d.Guardian = await AccountSender.ConnectAsync(eth, key(2), chainId);
        d.Trader = await AccountSender.ConnectAsync(eth, key(3), chainId);
        d.Reporter = await AccountSender.ConnectAsync(eth, key(4), chainId);
        d.Stranger = await AccountSender.ConnectAsync(eth, key(5), chainId);

        d.Base = await MintableERC20.DeployAsync(d.Owner, d.Artifact(MintableERC20.ArtifactName), "Base", s.BaseSymbol, s.BaseDecimals);
        d.Quote = await MintableERC20.DeployAsync(d.Owner, d.Artifact(MintableERC20.ArtifactName), "Quote", s.QuoteSymbol, s.QuoteDecimals);
        d._quoteOf[d.Quote.Address] = (d.Quote, s.QuoteDecimals);
        d.Oracle = await VolatilityOracle.DeployAsync(d.Owner, d.Artifact(VolatilityOracle.ArtifactName), d.Owner.Address, d.Reporter.Address, 8, 8, $"{s.BaseSymbol} / {s.QuoteSymbol}", $"{s.BaseSymbol} / {s.QuoteSymbol} volatility");
        d.PriceFeed = await d.Oracle.PriceFeedAsync();
        d.VolatilityFeed = await d.Oracle.VolatilityFeedAsync();
        await d.Oracle.UpdateAsync(d.Reporter, s.OraclePrice, s.OracleVolatility);

        d.Vault = await TreasuryVault.DeployAsync(d.Owner, d.Artifact(TreasuryVault.ArtifactName), d.Owner.Address);
        d.Pool = await ManagedPool.DeployAsync(d.Owner, d.Artifact(ManagedPool.ArtifactName), d.Base.Address, d.Quote.Address, d.Vault.Address,
            d.SqrtPriceX96(s.Price), d.SqrtPriceX96(s.PriceLow), d.SqrtPriceX96(s.PriceHigh), s.FeePips);
        d._pools.Add(d.Pool);
        d._poolQuote[d.Pool.Address] = d.Quote;

        d.Policy = s.Policy ?? DefaultPolicy(d.PriceFeed, d.VolatilityFeed);
        await d.Vault.SetKeeperAsync(d.Owner, d.Keeper.Address, true);
        await d.Vault.SetGuardianAsync(d.Owner, d.Guardian.Address, true);
        await d.Vault.RegisterPoolAsync(d.Owner, d.Pool.Address, d.Policy);
        if (s.AllowInventoryRecovery) await d.Vault.SetAllowInventoryRecoveryAsync(d.Owner, d.Pool.Address, true);
        await d.Pool.IncreaseObservationCardinalityAsync(d.Owner, s.ObservationCardinality);

        await d.Base.MintAsync(d.Owner, d.Owner.Address, d.BaseUnits(s.DepositBase * 10));
        await d.Quote.MintAsync(d.Owner, d.Owner.Address, d.QuoteUnits(s.DepositQuote * 10));
        await d.Base.ApproveAsync(d.Owner, d.Vault.Address, MaxUint256);
        await d.Quote.ApproveAsync(d.Owner, d.Vault.Address, MaxUint256);
        await d.Vault.DepositAsync(d.Owner, d.Pool.Address, d.BaseUnits(s.DepositBase), d.QuoteUnits(s.DepositQuote));

        await d.Base.MintAsync(d.Owner, d.Trader.Address, d.BaseUnits(s.TraderBase));
        await d.Quote.MintAsync(d.Owner, d.Trader.Address, d.QuoteUnits(s.TraderQuote));
        await d.Base.ApproveAsync(d.Trader, d.Pool.Address, MaxUint256);
        await d.Quote.ApproveAsync(d.Trader, d.Pool.Address, MaxUint256);
        for (var i = 1; i < s.PoolCount; i++) await d.AddPoolAsync();
        if (s.Perp is not null) await d.DeployPerpAsync(s.Perp);
        return d;
    }

    /// <summary>
    /// Deploys one more pool on the same tokens at the settings' price and range, registers it in the vault with
    /// <paramref name="policy"/> (default: <see cref="Policy"/>, so the same feeds), deposits the settings' amounts
    /// into it (minted to the owner first) and approves it for the trader. Returns the pool, also appended to <see cref="Pools"/>.
    /// </summary>
    public Task<ManagedPool> AddPoolAsync(TreasuryVault.PolicyParams? policy = null) =>
        AddPoolAsync(new PoolDeploymentSettings { Policy = policy });

    /// <summary>
    /// Deploys one more pool on the deployment's base and <paramref name="pool"/>'s quote token, at its price and range,
    /// registers it in the vault with its policy (the deployment's policy on its feeds unless given whole), deposits its
    /// amounts (minted to the owner first), mints the trader its quote if asked and approves the pool for the trader.
    /// Every input is checked before anything is sent; a bad one throws <see cref="ArgumentException"/> naming it.
    /// Returns the pool, also appended to <see cref="Pools"/>.
    /// </summary>
    public async Task<ManagedPool> AddPoolAsync(PoolDeploymentSettings pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var s = Settings;
        if (_pools.Count >= MaxPoolsPerVault && !_pastTheCap)
            throw new InvalidOperationException($"the vault holds {_pools.Count} pools already, its MAX_POOLS = {MaxPoolsPerVault}; deploy another vault for more");
        var quote = pool.Quote ?? Quote;
        if (!_quoteOf.TryGetValue(quote.Address, out var known))
            throw new ArgumentException($"quote token {quote.Address} was not deployed by this deployer; create it with DeployQuoteTokenAsync (its decimals are needed for prices and deposits)", nameof(pool));
        var quoteDecimals = known.Decimals;
        var differentQuote = quote.Address != Quote.Address;
        if (differentQuote && (pool.Price is null || pool.PriceLow is null || pool.PriceHigh is null))
            throw new ArgumentException($"a pool on quote {quote.Address} needs its own Price, PriceLow and PriceHigh (quote per base): the deployment's are in {Settings.QuoteSymbol}", nameof(pool));
        var price = pool.Price ?? s.Price;
        var low = pool.PriceLow ?? s.PriceLow;
        var high = pool.PriceHigh ?? s.PriceHigh;
        if (!(low > 0 && low < price && price < high))
            throw new ArgumentException($"pool price {price} and range [{low}, {high}] must satisfy 0 < PriceLow < Price < PriceHigh", nameof(pool));
        var feePips = pool.FeePips ?? s.FeePips;
        if (feePips is < 0 or >= 1_000_000) throw new ArgumentException($"FeePips {feePips} must lie in [0, 1000000)", nameof(pool));
        var depositBase = pool.DepositBase ?? s.DepositBase;
        var depositQuote = pool.DepositQuote ?? (differentQuote ? s.DepositBase * price : s.DepositQuote);
        if (depositBase < 0 || depositQuote < 0 || pool.TraderQuote < 0)
            throw new ArgumentException($"deposits ({depositBase} base, {depositQuote} quote) and TraderQuote ({pool.TraderQuote}) must not be negative", nameof(pool));
        if (pool.Policy is not null && (pool.PriceFeed is not null || pool.VolatilityFeed is not null))
            throw new ArgumentException("give either Policy (whole, with its feeds) or PriceFeed/VolatilityFeed (on the deployment's policy), not both", nameof(pool));
        if (pool.PriceFeed == Address.Zero)
            throw new ArgumentException("PriceFeed is the zero address; every pool needs a price feed (leave it null for the deployment's)", nameof(pool));
        var policy = pool.Policy ?? Policy with
        {
            PriceFeed = pool.PriceFeed ?? Policy.PriceFeed,
            VolatilityFeed = pool.VolatilityFeed ?? Policy.VolatilityFeed,
        };

        var managed = await ManagedPool.DeployAsync(Owner, Artifact(ManagedPool.ArtifactName), Base.Address, quote.Address, Vault.Address,
            SqrtPriceX96(price, s.BaseDecimals, quoteDecimals), SqrtPriceX96(low, s.BaseDecimals, quoteDecimals), SqrtPriceX96(high, s.BaseDecimals, quoteDecimals), feePips);
        await Vault.RegisterPoolAsync(Owner, managed.Address, policy);
        if (pool.AllowInventoryRecovery ?? s.AllowInventoryRecovery) await Vault.SetAllowInventoryRecoveryAsync(Owner, managed.Address, true);
        await managed.IncreaseObservationCardinalityAsync(Owner, s.ObservationCardinality);
        var baseUnits = BaseUnits(depositBase);
        var quoteUnits = ToUnits(depositQuote, quoteDecimals);
        await Base.MintAsync(Owner, Owner.Address, baseUnits);
        await quote.MintAsync(Owner, Owner.Address, quoteUnits);
        if (differentQuote && _approvedQuotes.Add(quote.Address)) await quote.ApproveAsync(Owner, Vault.Address, MaxUint256);
        await Vault.DepositAsync(Owner, managed.Address, baseUnits, quoteUnits);
        if (pool.TraderQuote is { } traderQuote && traderQuote > 0) await quote.MintAsync(Owner, Trader.Address, ToUnits(traderQuote, quoteDecimals));
        await Base.ApproveAsync(Trader, managed.Address, MaxUint256);
        await quote.ApproveAsync(Trader, managed.Address, MaxUint256);
        _pools.Add(managed);
        _poolQuote[managed.Address] = quote;
        return managed;
    }

    /// <summary>A new quote token (MintableERC20, 6–18 decimals like every ManagedPool token) for <see cref="PoolDeploymentSettings.Quote"/>.</summary>
    public async Task<MintableERC20> DeployQuoteTokenAsync(string name, string symbol, int decimals)
    {
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(symbol)) throw new ArgumentException("a quote token needs a name and a symbol, e.g. (\"USD Coin\", \"USDC\")");
        if (decimals is < 6 or > 18) throw new ArgumentOutOfRangeException(nameof(decimals), decimals, $"quote token {symbol} has {decimals} decimals; ManagedPool accepts tokens of 6 to 18 decimals");
        var token = await MintableERC20.DeployAsync(Owner, Artifact(MintableERC20.ArtifactName), name, symbol, decimals);
        _quoteOf[token.Address] = (token, decimals);
        return token;
    }

    /// <summary>
    /// A new VolatilityOracle (8-decimal price and volatility feeds, reporter = <see cref="Reporter"/>) with a first
    /// round posted: <paramref name="price"/> is quote per base × 10^8, <paramref name="volatility"/> annualised × 10^8.
    /// Its <see cref="DeployedOracle.PriceFeed"/> and <see cref="DeployedOracle.VolatilityFeed"/> go in <see cref="PoolDeploymentSettings"/>.
    /// </summary>
    public async Task<DeployedOracle> DeployOracleAsync(string description, BigInteger price, BigInteger? volatility = null)
    {
        if (string.IsNullOrWhiteSpace(description)) throw new ArgumentException("an oracle needs a description, e.g. \"BASE / USDC\"", nameof(description));
        if (price.Sign <= 0) throw new ArgumentOutOfRangeException(nameof(price), price, $"oracle {description}: the first price must be positive (quote per base × 10^8)");
        var vol = volatility ?? Settings.OracleVolatility;
        if (vol.Sign <= 0) throw new ArgumentOutOfRangeException(nameof(volatility), vol, $"oracle {description}: the volatility must be positive (VolatilityOracle refuses 0)");
        var oracle = await VolatilityOracle.DeployAsync(Owner, Artifact(VolatilityOracle.ArtifactName), Owner.Address, Reporter.Address, 8, 8, description, description + " volatility");
        await oracle.UpdateAsync(Reporter, price, vol);
        return new DeployedOracle(oracle, await oracle.PriceFeedAsync(), await oracle.VolatilityFeedAsync());
    }

    /// <summary>The quote token (token1) of a pool this deployer deployed.</summary>
    public MintableERC20 QuoteOf(ManagedPool pool) => _poolQuote.TryGetValue(pool.Address, out var q) ? q
        : throw new ArgumentException($"pool {pool.Address} was not deployed by this deployer", nameof(pool));

    /// <summary>Human amount → units of <paramref name="pool"/>'s quote token.</summary>
    public BigInteger QuoteUnits(decimal amount, ManagedPool pool) => ToUnits(amount, _quoteOf[QuoteOf(pool).Address].Decimals);

    private readonly Dictionary<Address, (MintableERC20 Token, int Decimals)> _quoteOf = new();
    private readonly Dictionary<Address, MintableERC20> _poolQuote = new();
    private readonly HashSet<Address> _approvedQuotes = [];

    /// <summary>
    /// Deploys a PerpMarket on (base, quote) with the oracle's price feed as mark, mints its counterparty quote and the vault's
    /// hedge quote, and sets the pool's hedge policy on the vault.
    /// </summary>
    public async Task<PerpMarket> DeployPerpAsync(PerpDeploymentSettings perp)
    {
        ArgumentNullException.ThrowIfNull(perp);
        if (Perp is not null) throw new InvalidOperationException($"This deployment has a PerpMarket already ({Perp.Address}); deploy it once.");
        var market = await PerpMarket.DeployAsync(Owner, Artifact(PerpMarket.ArtifactName), new PerpMarket.MarketParams(
            QuoteToken: Quote.Address, BaseToken: Base.Address, MarkFeed: PriceFeed, IndexFeed: Address.Zero,
            Heartbeat: perp.Heartbeat, FundingInterval: perp.FundingInterval, FundingRateWad: perp.FundingRateWad,
            TradeFeePips: perp.TradeFeePips, InitialMarginPips: perp.InitialMarginPips,
            MaintenanceMarginPips: perp.MaintenanceMarginPips, LiquidationPenaltyPips: perp.LiquidationPenaltyPips));
        await Quote.MintAsync(Owner, market.Address, QuoteUnits(perp.MarketQuote));
        await Quote.MintAsync(Owner, Vault.Address, QuoteUnits(perp.VaultQuote));
        await Vault.SetHedgePolicyAsync(Owner, Pool.Address, new TreasuryVault.HedgePolicy(market.Address, QuoteUnits(perp.MaxHedgeNotional), perp.MinHedgeMarginRatioPips));
        Perp = market;
        return market;
    }

    /// <summary>
    /// As <see cref="DeployPerpAsync(PerpDeploymentSettings)"/> for another pool of this deployment: a PerpMarket of its own
    /// on the same tokens (the vault holds one account per market, so two pools cannot share one), funded the same way,
    /// set as <paramref name="pool"/>'s hedge market. <see cref="Perp"/> is unchanged.
    /// </summary>
    public async Task<PerpMarket> DeployPerpAsync(PerpDeploymentSettings perp, ManagedPool pool)
    {
        ArgumentNullException.ThrowIfNull(perp);
        ArgumentNullException.ThrowIfNull(pool);
        if (!_pools.Any(p => p.Address == pool.Address)) throw new ArgumentException($"pool {pool.Address} is not one of this deployment's pools; deploy it with AddPoolAsync first", nameof(pool));
        var market = await PerpMarket.DeployAsync(Owner, Artifact(PerpMarket.ArtifactName), new PerpMarket.MarketParams(
            QuoteToken: Quote.Address, BaseToken: Base.Address, MarkFeed: PriceFeed, IndexFeed: Address.Zero,
            Heartbeat: perp.Heartbeat, FundingInterval: perp.FundingInterval, FundingRateWad: perp.FundingRateWad,
            TradeFeePips: perp.TradeFeePips, InitialMarginPips: perp.InitialMarginPips,
            MaintenanceMarginPips: perp.MaintenanceMarginPips, LiquidationPenaltyPips: perp.LiquidationPenaltyPips));
        await Quote.MintAsync(Owner, market.Address, QuoteUnits(perp.MarketQuote));
        await Quote.MintAsync(Owner, Vault.Address, QuoteUnits(perp.VaultQuote));
        await Vault.SetHedgePolicyAsync(Owner, pool.Address, new TreasuryVault.HedgePolicy(market.Address, QuoteUnits(perp.MaxHedgeNotional), perp.MinHedgeMarginRatioPips));
        return market;
    }

    /// <summary>Heartbeat 1 h, TWAP window 600 s, ±2% deviation and skew, fee 0.05%–1%, width 1%–1000%, interval 60 s, base share 10%–90%.</summary>
    public static TreasuryVault.PolicyParams DefaultPolicy(Address priceFeed, Address volatilityFeed) => new(
        PriceFeed: priceFeed, VolatilityFeed: volatilityFeed, Heartbeat: 3600, TwapWindow: 600,
        MaxTwapDeviationBps: 200, MaxSkewBps: 200, MinFeePips: 500, MaxFeePips: 10_000,
        MinWidthBps: 100, MaxWidthBps: 100_000, MinRebalanceInterval: 60,
        MinBaseShareBps: 1000, MaxBaseShareBps: 9000);

    public BigInteger BaseUnits(decimal amount) => ToUnits(amount, Settings.BaseDecimals);
    public BigInteger QuoteUnits(decimal amount) => ToUnits(amount, Settings.QuoteDecimals);

    private static BigInteger ToUnits(decimal amount, int decimals) =>
        Ethereum.Encoding.Units.Parse(amount.ToString(CultureInfo.InvariantCulture), decimals);

    /// <summary>√(price · 10^(quoteDecimals − baseDecimals)) · 2^96, floored: the pool's price of a base unit in quote units.</summary>
    public BigInteger SqrtPriceX96(decimal humanPrice) => SqrtPriceX96(humanPrice, Settings.BaseDecimals, Settings.QuoteDecimals);

    public static BigInteger SqrtPriceX96(decimal humanPrice, int baseDecimals, int quoteDecimals)
    {
        // price as a fraction num/den of integers, scaled by the decimals difference, then ⌊√(num·2^192/den)⌋.
        var bits = decimal.GetBits(humanPrice);
        var scale = (bits[3] >> 16) & 0xFF;
        var num = new BigInteger(decimal.Truncate(humanPrice * (decimal)Math.Pow(10, scale)));
        var den = BigInteger.Pow(10, scale);
        if (quoteDecimals >= baseDecimals) num *= BigInteger.Pow(10, quoteDecimals - baseDecimals);
        else den *= BigInteger.Pow(10, baseDecimals - quoteDecimals);
        return Sqrt((num << 192) / den);
    }

    public static BigInteger Sqrt(BigInteger n)
    {
        if (n.Sign < 0) throw new ArgumentOutOfRangeException(nameof(n));
        if (n < 2) return n;
        var x = BigInteger.One << (int)((n.GetBitLength() + 1) / 2);
        while (true)
        {
            var y = (x + n / x) >> 1;
            if (y >= x) return x;
            x = y;
        }
    }

    // ---- chain time ----

    public async Task<long> LatestTimestampAsync() => (await Eth.GetBlockAsync()).Timestamp.ToUnixTimeSeconds();

    /// <summary>Moves chain time forward by <paramref name="seconds"/> and mines a block.</summary>
    public async Task IncreaseTimeAsync(long seconds)
    {
        await Rpc.CallAsync("evm_increaseTime", [seconds]);
        await Rpc.CallAsync("evm_mine");
    }

    /// <summary>Sets the next block's timestamp to latest + <paramref name="seconds"/> and returns it.</summary>
    public async Task<long> SetNextBlockTimestampAsync(long seconds)
    {
        var next = await LatestTimestampAsync() + seconds;
        await Rpc.CallAsync("evm_setNextBlockTimestamp", [next]);
        return next;
    }

    /// <summary>The index of the oldest initialised observation at or after <paramref name="target"/>, or 65535 for none: every
    /// slot read, the brute force that the keeper's binary search (<see cref="Observations.ManagedPoolObservationHint"/>) is
    /// checked against.</summary>
    public async Task<int> ObservationHintAsync(long target)
    {
        var state = await Pool.GetStateAsync();
        var best = NoObservationHint;
        var bestTimestamp = long.MaxValue;
        for (var i = 0; i < (int)state.ObservationCardinality; i++)
        {
            var o = await Pool.ObservationsAsync(i);
            var ts = (long)o.BlockTimestamp;
            if (o.Initialized && ts >= target && ts < bestTimestamp) { best = i; bestTimestamp = ts; }
        }
        return best;
    }

    /// <summary>
    /// The trader swaps <paramref name="pool"/>'s inventory to a base share of <paramref name="target"/> of its value at
    /// the deployment's price: sells base to raise the share, buys base with quote to lower it. Benchmarks and fleet tests
    /// push a pool past its band with it (0.65 or 0.35) and back to its target (0.50).
    /// </summary>
    public async Task PushBaseShareAsync(ManagedPool pool, double target)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (target is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(target), target, "a base share lies strictly between 0 and 1");
        var state = await pool.GetStateAsync();
        var price = (double)Settings.Price;
        var reserveBase = (double)state.Reserve0 / Math.Pow(10, Settings.BaseDecimals);
        var reserveQuote = (double)state.Reserve1 / Math.Pow(10, Settings.QuoteDecimals);
        var value = reserveBase * price + reserveQuote;
        var baseDelta = target * value / price - reserveBase; // > 0: sell base into the pool
        if (baseDelta > 0) await SwapAsync(zeroForOne: true, BaseUnits(decimal.Round((decimal)baseDelta, 6)), pool: pool);
        else await SwapAsync(zeroForOne: false, QuoteUnits(decimal.Round((decimal)(-baseDelta * price), 6)), pool: pool);
    }

    /// <summary>
    /// Local nodes only (hardhat_setStorageAt, which anvil also serves): adds pools until there are
    /// <paramref name="poolCount"/>, past the vault's MAX_POOLS = 16. The vault's <c>_pools</c> array (read only by
    /// pools() and the guardian's pauseAll) bounds that loop; each further group of 16 is registered after setting that
    /// array's length back to 0. Every pool is still deployed, registered with its policy (policyOf reads registered =
    /// true), funded and rebalanced through the real vault; only pools() lists the last group alone.
    /// </summary>
    public async Task AddPoolsPastTheCapAsync(int poolCount)
    {
        var slot = -1;
        for (var i = 0; i < 64 && slot < 0; i++)
        {
            var value = await Rpc.CallAsync("eth_getStorageAt", [Vault.Address.ToLowerHex(), Ethereum.Encoding.Quantity.Encode(i), "latest"]);
            if (Ethereum.Encoding.Quantity.Decode(value.GetString()!, "storage word") != MaxPoolsPerVault) continue;
            await SetStorageWordAsync(Vault.Address, i, 0);
            if ((await Vault.PoolsAsync()).Count == 0) slot = i;
            else await SetStorageWordAsync(Vault.Address, i, MaxPoolsPerVault);
        }
        if (slot < 0) throw new InvalidOperationException($"could not find the length of the vault's pool list in its first 64 storage slots; more than {MaxPoolsPerVault} pools need it");
        _pastTheCap = true; // the vault's list is reset every 16 pools: AddPoolAsync may go on past MAX_POOLS
        while (Pools.Count < poolCount)
        {
            if (Pools.Count % MaxPoolsPerVault == 0) await SetStorageWordAsync(Vault.Address, slot, 0);
            await AddPoolAsync();
        }
    }

    private bool _pastTheCap;

    private Task SetStorageWordAsync(Address contract, int slot, long value) =>
        Rpc.CallAsync("hardhat_setStorageAt", [contract.ToLowerHex(), Ethereum.Encoding.Quantity.Encode(slot), "0x" + value.ToString("x64", CultureInfo.InvariantCulture)]);

    public Task<ContractReceipt> SwapAsync(bool zeroForOne, BigInteger amountIn, BigInteger? minOut = null, AccountSender? trader = null, ManagedPool? pool = null) =>
        (pool ?? Pool).SwapExactInAsync(trader ?? Trader, zeroForOne, amountIn, minOut ?? 0, (trader ?? Trader).Address, Deadline);
}
