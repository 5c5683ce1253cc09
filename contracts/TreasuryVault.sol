// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {AggregatorV3Interface} from "./interfaces/AggregatorV3Interface.sol";
import {IUniswapV3PositionManagerSync} from "./interfaces/IUniswapV3PositionManagerSync.sol";
import {IManagedPool} from "./interfaces/IManagedPool.sol";
import {IManagedPoolVaultActions} from "./interfaces/IManagedPoolVaultActions.sol";
import {
    ITreasuryVault,
    ITreasuryVaultOwnerActions,
    ITreasuryVaultGuardianActions,
    ITreasuryVaultKeeperActions,
    ITreasuryVaultState
} from "./interfaces/ITreasuryVault.sol";
import {FullMath} from "./libraries/FullMath.sol";
import {GuardMath} from "./libraries/GuardMath.sol";
import {IPerpMarket} from "./perp/interfaces/IPerpMarket.sol";
import {LogMath} from "./libraries/LogMath.sol";

/// @title TreasuryVault
/// @notice Owns the liquidity of ManagedPools and lets a keeper reshape them only inside a policy the owner sets.
/// Roles: owner (the DAO; Ownable2Step) — funds, policy, roles, unpause, loss-window reset, sweep; guardian — pause,
/// emergency withdrawal to the owner; keeper — rebalance, hedge adjustments. Every bound is checked on-chain; a broken bound reverts with an error naming it.
/// @dev Exact guard formulas (the C# guard mirror follows them):
///  - oracle price in Q128.128: priceX128 = (answer * 10^e) << 128 when e = priceScaleExp >= 0, else
///    floor((answer << 128) / 10^-e); OraclePriceOutOfRange when answer or answer * 10^e >= 2^128, or the result is 0.
///  - skew (centre sqrt price c < 2^128): pc = floor(c * c / 2^64); skewBps = floor(|pc - priceX128| * 1e4 / priceX128).
///  - TWAP: |reposition(..).twapLogPrice - LogMath.coarseLogPriceFromPriceX128(priceX128)| <= maxTwapDeviationLog, where
///    twapLogPrice = pool.consult(twapWindow).meanLogPrice just before the call and maxTwapDeviationLog =
///    LogMath.logPrice(floor(sqrt(floor((1e4 + maxBps) * 2^192 / 1e4)))), i.e. the geometric TWAP lies within a
///    factor (1 + maxBps/1e4) of the oracle price either way. Exempt (issue 13, no freeze in a crash) exactly when,
///    before the reposition, the pool's spot e sat on a bound of its range and the oracle lies beyond that bound on the
///    same side: with pe = floor(e * e / 2^64), e == low and priceX128 < pe, or e == high and priceX128 > pe (the pool
///    reports e and which bound in RepositionResult.previousSpot). Swaps stop at the edge, so there the TWAP cannot
///    follow the oracle; a manipulator cannot push the spot past the edge, and pushing it onto the edge pushes it
///    toward the oracle.
///  - width (bounds a < b): r = floor(b * 2^96 / a); p = floor(r * r / 2^96); widthBps = floor((p - 2^96) * 1e4 / 2^96)
///    (type(uint256).max when r >= 2^128); in [minWidthBps, maxWidthBps], no upper bound when maxWidthBps is
///    UNBOUNDED_WIDTH_BPS.
///  - inventory: v0 = floor(reserve0 * priceX128 / 2^128); shareBps = floor(v0 * 1e4 / (v0 + reserve1)) (0 if both 0);
///    outside [minShare, maxShare] reverts InventoryOutOfBounds unless the pool's allowInventoryRecovery is on
///    (setAllowInventoryRecovery, off at registration): then the skew-direction rule below (toward the target only)
///    and the loss budget still apply, so a rebalance cannot widen the imbalance.
///  - skew direction (the keeper-key bound, docs/keeper-key-bound.md): target = floor((minShare + maxShare) / 2),
///    halfBand = floor((maxShare - minShare) / 2), signed skew = +skewBps when pc > priceX128 else -skewBps. A skew
///    of 0 passes; otherwise it must point toward the target (skew < 0 needs share > target, skew > 0 needs share <
///    target) and |skew| <= allowed = imbalance >= halfBand ? maxSkew : floor(maxSkew * imbalance / halfBand),
///    imbalance = |share - target| (SkewAgainstInventory). Reposition moves no token, so share is the same before
///    and after.
///  - loss budget: per pool one word (start reserve0, start reserve1: 112 bits each; start time: 32 bits). When it
///    is 0 or block.timestamp >= start + LOSS_WINDOW the rebalance starts a new window at the current reserves.
///    Else hold = floor(start0 * priceX128 / 2^128) + start1, value = v0 + reserve1 (both at today's oracle); when
///    value < hold: loss = hold - value, budget = floor(hold * maxLossBps / 1e4), loss > budget reverts
///    (LossBudgetExceeded). Owner deposits/withdrawals move the start holdings by the same amounts; the owner's
///    resetLossWindow and emergencyWithdraw clear the window.
/// Hedge (issue 7): each registered pool may have its own HedgePolicy — per pool, not per vault, because a hedge
/// offsets one pool's base inventory and each base trades on its own perp market; the vault holds one account per
/// market, so two pools cannot share one. adjustHedge (keeper, not while paused) is checked against the policy after
/// the change; closeHedge (owner) is never blocked by the policy or the pause.
/// Hedge limits (HedgeLimits, per pool): after a keeper margin deposit the account's margin <= maxMargin; the
/// notional traded, sum of floor(|sizeDelta| * mark / 1e36), per HEDGE_WINDOW (starting at the first trade after
/// the last window ended) <= maxVolume.
/// rebalance order: keeper, registered, fee, price feed (future, stale, then non-positive), volatility feed (if set and
/// not written with the price feed by its own oracle, GuardMath.writtenTogether: future, stale, non-positive), skew
/// magnitude, [pool.reposition: its fit errors; allowed while paused], interval (from the pool's previous reposition
/// time), TWAP deviation (skipped while the pool is paused, and when its spot sat on a range bound with the oracle
/// beyond it), width, inventory (skipped with allowInventoryRecovery), skew
/// direction, loss budget; then the Rebalanced event. All-or-nothing: any revert undoes the reposition.
contract TreasuryVault is ITreasuryVault, Pausable, Ownable2Step, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 private constant Q96 = 0x1000000000000000000000000;

    uint32 public constant MIN_HEARTBEAT = 30;
    uint32 public constant MAX_HEARTBEAT = 7 days;
    uint32 public constant MIN_TWAP_WINDOW = 10;
    uint32 public constant MAX_TWAP_WINDOW = 30 minutes; // the ring it needs (152 slots) is grown in one transaction
    /// @notice Seconds per observation the vault sizes each pool's ring for (one swap per 12 s L1 slot).
    uint32 public constant OBSERVATION_SPACING = 12;
    uint16 public constant MIN_DEVIATION_BPS = 1;
    uint16 public constant MAX_TWAP_DEVIATION_BPS = 2000;
    uint16 public constant MAX_SKEW_BPS = 2000;
    uint24 public constant MAX_FEE_PIPS = 100_000;
    uint32 public constant MIN_WIDTH_BPS = 1;
    uint32 public constant MAX_WIDTH_BPS = 10_000_000;
    /// @notice A maximum width of type(uint32).max is no upper bound: the pool may hold its widest range, a full range
    /// for every purpose (the profitability gate's answer when fees cannot pay for concentrating, docs/models.md). A wide
    /// range gives a stolen keeper key nothing: it is the least concentrated curve.
    uint32 public constant UNBOUNDED_WIDTH_BPS = type(uint32).max;
    uint32 public constant MIN_REBALANCE_INTERVAL = 60;
    uint32 public constant MAX_REBALANCE_INTERVAL = 7 days;
    /// @notice Length of a pool's loss window, seconds.
    uint32 public constant LOSS_WINDOW = 1 days;
    uint16 public constant DEFAULT_MAX_LOSS_BPS = 100;
    uint16 public constant MAX_LOSS_BPS = 1000;
    /// @notice Length of a pool's hedge-volume window, seconds.
    uint32 public constant HEDGE_WINDOW = 1 days;
    uint16 public constant MAX_SHARE_BPS = 10_000;
    uint8 public constant MAX_FEED_DECIMALS = 36;
    uint256 public constant MAX_POOLS = 16;

    struct Policy {
        // slot A: read by every rebalance
        AggregatorV3Interface priceFeed;
        uint32 heartbeat;
        uint32 twapWindow;
        uint16 maxSkewBps;
        int8 priceScaleExp;
        bool registered;
        // slot B: read by every rebalance
        uint24 maxTwapDeviationLog;
        /// @dev A volatility feed is set and is not written with the price feed (GuardMath.writtenTogether): each
        /// rebalance reads it. False for the deployment's own oracle pair, whose price check proves the volatility's.
        bool readsVolatilityFeed;
        uint16 maxTwapDeviationBps;
        uint24 minFeePips;
        uint24 maxFeePips;
        uint32 minWidthBps;
        uint32 maxWidthBps;
        uint32 minRebalanceInterval;
        uint16 minBaseShareBps;
        uint16 maxBaseShareBps;
        uint16 maxLossBps;
        bool allowInventoryRecovery;
    }

    // bit offsets of the Policy fields in its two storage words (rebalance reads the raw words)
    uint256 private constant A_HEARTBEAT_SHIFT = 160;
    uint256 private constant A_TWAP_WINDOW_SHIFT = 192;
    uint256 private constant A_MAX_SKEW_SHIFT = 224;
    uint256 private constant A_PRICE_SCALE_EXP_SHIFT = 240;
    uint256 private constant A_REGISTERED_SHIFT = 248;
    uint256 private constant B_READS_VOLATILITY_FEED_SHIFT = 24; // maxTwapDeviationLog is bits 0..23
    uint256 private constant B_MAX_TWAP_DEVIATION_BPS_SHIFT = 32;
    uint256 private constant B_MIN_FEE_SHIFT = 48;
    uint256 private constant B_MAX_FEE_SHIFT = 72;
    uint256 private constant B_MIN_WIDTH_SHIFT = 96;
    uint256 private constant B_MAX_WIDTH_SHIFT = 128;
    uint256 private constant B_MIN_INTERVAL_SHIFT = 160;
    uint256 private constant B_MIN_BASE_SHARE_SHIFT = 192;
    uint256 private constant B_MAX_BASE_SHARE_SHIFT = 208;
    uint256 private constant B_MAX_LOSS_SHIFT = 224;
    uint256 private constant B_ALLOW_INVENTORY_RECOVERY_SHIFT = 240; // the top byte: nothing above it
    uint256 private constant HOLDING_BITS = 112;
    uint256 private constant HOLDING_MASK = (1 << 112) - 1;
    uint256 private constant WINDOW_START_SHIFT = 224;
    uint256 private constant NO_LOSS_WINDOW = 1;

    mapping(address => bool) private _keepers;
    mapping(address => bool) private _guardians;
    mapping(address => Policy) private _policies;
    /// @dev Read only when the pool's policy has a volatility feed.
    mapping(address => AggregatorV3Interface) private _volatilityFeeds;
    address[] private _pools;
    mapping(address => HedgePolicy) private _hedges;
    /// @dev Loss window per pool, one word: start reserve0 (bits 0..111) | start reserve1 (112..223) | start time
    /// (224..255). Start time 0 = none (the next rebalance starts one); "none" is stored as NO_LOSS_WINDOW = 1, not 0,
    /// so that starting a window rewrites a non-zero slot (2,900 gas, not 20,000).
    mapping(address => uint256) private _lossWindows;
    mapping(address => HedgeLimits) private _hedgeLimits;
    /// @dev Hedge volume per pool: traded notional in the window (bits 0..223) | window start (224..255).
    mapping(address => uint256) private _hedgeVolumes;
    /// @dev The UniswapV3PositionManager that setKeeper, pause and unpause are pushed to (zero: none).
    address private _positionManager;

    modifier onlyKeeper() {
        if (!_keepers[msg.sender]) revert NotKeeper(msg.sender);
        _;
    }

    modifier onlyGuardianOrOwner() {
        if (!_guardians[msg.sender] && msg.sender != owner()) revert NotGuardianOrOwner(msg.sender);
        _;
    }

    modifier registeredPool(address pool) {
        _requireRegistered(pool); // a call, not inlined at each of the 18 uses (bytecode size)
        _;
    }

    function _requireRegistered(address pool) private view {
        if (!_policies[pool].registered) revert UnknownPool(pool);
    }

    /// @param owner_ The owner (the DAO).
    constructor(address owner_) Ownable(owner_) {}

    // ------------------------------------------------------------------ roles

    /// @inheritdoc ITreasuryVaultOwnerActions
    function setKeeper(address account, bool enabled) external override onlyOwner {
        if (account == address(0)) revert ZeroAddress();
        _keepers[account] = enabled;
        _syncManager(IUniswapV3PositionManagerSync.syncKeeper.selector, uint160(account), enabled ? 1 : 0, 0x44);
        emit KeeperSet(account, enabled);
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function setPositionManager(address manager) external override onlyOwner {
        _syncManager(IUniswapV3PositionManagerSync.retire.selector, 0, 0, 0x04);
        _positionManager = manager;
        // a typed call: it also refuses an address without code
        if (manager != address(0)) IUniswapV3PositionManagerSync(manager).syncPaused(paused());
        emit PositionManagerSet(manager);
    }

    /// @dev Pushes a keeper or pause change to the registered position manager (none: nothing), in one hand-encoded
    /// call (bytecode size); its revert bubbles, so the vault's own change and the manager's are one.
    function _syncManager(bytes4 selector, uint256 a, uint256 b, uint256 length) private {
        address m = _positionManager;
        if (m == address(0)) return;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), a)
            mstore(add(ptr, 0x24), b)
            if iszero(call(gas(), m, 0, ptr, length, 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
        }
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function setGuardian(address account, bool enabled) external override onlyOwner {
        if (account == address(0)) revert ZeroAddress();
        _guardians[account] = enabled;
        emit GuardianSet(account, enabled);
    }

    /// @notice Disabled: a vault without an owner would lock the treasury's funds.
    function renounceOwnership() public view override onlyOwner {
        revert RenounceOwnershipDisabled();
    }

    // ------------------------------------------------------------------ policy

    /// @inheritdoc ITreasuryVaultOwnerActions
    function registerPool(address pool, PolicyParams calldata p) external override onlyOwner {
        if (pool == address(0)) revert ZeroAddress();
        Policy storage policy = _policies[pool];
        if (policy.registered) revert PoolAlreadyRegistered(pool);
        address poolVault = IManagedPool(pool).vault();
        if (poolVault != address(this)) revert PoolVaultMismatch(pool, poolVault);
        if (_pools.length >= MAX_POOLS) revert TooManyPools();
        _pools.push(pool);
        policy.registered = true;
        emit PoolRegistered(pool, IManagedPool(pool).token0(), IManagedPool(pool).token1());
        _setFeeds(pool, p.priceFeed, p.volatilityFeed);
        _setHeartbeat(pool, p.heartbeat);
        _setTwapWindow(pool, p.twapWindow);
        _setMaxTwapDeviation(pool, p.maxTwapDeviationBps);
        _setMaxSkew(pool, p.maxSkewBps);
        _setFeeBounds(pool, p.minFeePips, p.maxFeePips);
        _setWidthBounds(pool, p.minWidthBps, p.maxWidthBps);
        _setMinRebalanceInterval(pool, p.minRebalanceInterval);
        _setInventoryBounds(pool, p.minBaseShareBps, p.maxBaseShareBps);
        _setMaxLoss(pool, DEFAULT_MAX_LOSS_BPS);
        _lossWindows[pool] = NO_LOSS_WINDOW;
        if (paused()) IManagedPool(pool).setPaused(true);
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function setFeeds(address pool, AggregatorV3Interface priceFeed, AggregatorV3Interface volatilityFeed)
        external
        override
        onlyOwner
        registeredPool(pool)
    {
        _setFeeds(pool, priceFeed, volatilityFeed);
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function setHeartbeat(address pool, uint32 heartbeat) external override onlyOwner registeredPool(pool) {
        _setHeartbeat(pool, heartbeat);
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function setTwapWindow(address pool, uint32 twapWindow) external override onlyOwner registeredPool(pool) {
        _setTwapWindow(pool, twapWindow);
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function setMaxTwapDeviation(address pool, uint16 maxTwapDeviationBps)
        external
        override
        onlyOwner
        registeredPool(pool)
    {
        _setMaxTwapDeviation(pool, maxTwapDeviationBps);
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function setMaxSkew(address pool, uint16 maxSkewBps) external override onlyOwner registeredPool(pool) {
        _setMaxSkew(pool, maxSkewBps);
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function setFeeBounds(address pool, uint24 minFeePips, uint24 maxFeePips)
        external
        override
        onlyOwner
        registeredPool(pool)
    {
        _setFeeBounds(pool, minFeePips, maxFeePips);
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function setWidthBounds(address pool, uint32 minWidthBps, uint32 maxWidthBps)
        external
        override
        onlyOwner
        registeredPool(pool)
    {
        _setWidthBounds(pool, minWidthBps, maxWidthBps);
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function setMinRebalanceInterval(address pool, uint32 minRebalanceInterval)
        external
        override
        onlyOwner
        registeredPool(pool)
    {
        _setMinRebalanceInterval(pool, minRebalanceInterval);
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function setInventoryBounds(address pool, uint16 minBaseShareBps, uint16 maxBaseShareBps)
        external
        override
        onlyOwner
        registeredPool(pool)
    {
        _setInventoryBounds(pool, minBaseShareBps, maxBaseShareBps);
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function setMaxLoss(address pool, uint16 maxLossBps) external override onlyOwner registeredPool(pool) {
        _setMaxLoss(pool, maxLossBps);
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function resetLossWindow(address pool) external override onlyOwner registeredPool(pool) {
        _lossWindows[pool] = NO_LOSS_WINDOW;
        emit LossWindowReset(pool);
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function setAllowInventoryRecovery(address pool, bool allowed) external override onlyOwner registeredPool(pool) {
        _policies[pool].allowInventoryRecovery = allowed;
        emit PolicyUpdated(pool, PolicyParam.InventoryRecovery, allowed ? 1 : 0, 0);
    }

    function _setMaxLoss(address pool, uint16 v) private {
        _checkBounds(PolicyParam.MaxLoss, v, 1, MAX_LOSS_BPS);
        _policies[pool].maxLossBps = v;
        emit PolicyUpdated(pool, PolicyParam.MaxLoss, v, 0);
    }

    function _setFeeds(address pool, AggregatorV3Interface priceFeed, AggregatorV3Interface volatilityFeed) private {
        if (address(priceFeed) == address(0)) revert ZeroAddress();
        uint8 feedDecimals = priceFeed.decimals();
        if (feedDecimals > MAX_FEED_DECIMALS) {
            revert PolicyOutOfBounds(PolicyParam.Feeds, feedDecimals, 0, MAX_FEED_DECIMALS);
        }
        int256 exp = int256(uint256(IERC20Metadata(IManagedPool(pool).token1()).decimals()))
            - int256(uint256(IERC20Metadata(IManagedPool(pool).token0()).decimals())) - int256(uint256(feedDecimals));
        // ManagedPool tokens have 6..18 decimals, so exp is in [-48, 12]; anything outside [-76, 38] (a pool whose
        // tokens report other decimals) is refused: rebalance's unchecked 10^|exp| and answer * 10^exp rely on it
        if (exp < -76 || exp > 38) revert PolicyOutOfBounds(PolicyParam.Feeds, feedDecimals, 0, MAX_FEED_DECIMALS);
        Policy storage p = _policies[pool];
        p.priceFeed = priceFeed;
        p.priceScaleExp = int8(exp);
        _volatilityFeeds[pool] = volatilityFeed;
        p.readsVolatilityFeed = address(volatilityFeed) != address(0)
            && !GuardMath.writtenTogether(address(priceFeed), address(volatilityFeed));
        emit PolicyUpdated(pool, PolicyParam.Feeds, uint160(address(priceFeed)), uint160(address(volatilityFeed)));
    }

    function _setHeartbeat(address pool, uint32 v) private {
        _checkBounds(PolicyParam.Heartbeat, v, MIN_HEARTBEAT, MAX_HEARTBEAT);
        _policies[pool].heartbeat = v;
        emit PolicyUpdated(pool, PolicyParam.Heartbeat, v, 0);
    }

    function _setTwapWindow(address pool, uint32 v) private {
        _checkBounds(PolicyParam.TwapWindow, v, MIN_TWAP_WINDOW, MAX_TWAP_WINDOW);
        _policies[pool].twapWindow = v;
        // a ring of ceil(v / OBSERVATION_SPACING) + 2 slots (<= 152) reaches back one window even when every block
        // carries a (dust) swap; the pool only grows it (a no-op when large enough)
        IManagedPool(pool).increaseObservationCardinality(uint16((v + OBSERVATION_SPACING - 1) / OBSERVATION_SPACING + 2));
        emit PolicyUpdated(pool, PolicyParam.TwapWindow, v, 0);
    }

    function _setMaxTwapDeviation(address pool, uint16 v) private {
        _checkBounds(PolicyParam.MaxTwapDeviation, v, MIN_DEVIATION_BPS, MAX_TWAP_DEVIATION_BPS);
        uint256 sqrtRatioX96 = Math.sqrt(FullMath.mulDiv(10_000 + uint256(v), 1 << 192, 10_000));
        Policy storage p = _policies[pool];
        p.maxTwapDeviationBps = v;
        p.maxTwapDeviationLog = uint24(uint256(LogMath.logPrice(sqrtRatioX96)));
        emit PolicyUpdated(pool, PolicyParam.MaxTwapDeviation, v, p.maxTwapDeviationLog);
    }

    function _setMaxSkew(address pool, uint16 v) private {
        _checkBounds(PolicyParam.MaxSkew, v, MIN_DEVIATION_BPS, MAX_SKEW_BPS);
        _policies[pool].maxSkewBps = v;
        emit PolicyUpdated(pool, PolicyParam.MaxSkew, v, 0);
    }

    function _setFeeBounds(address pool, uint24 lo, uint24 hi) private {
        if (lo > hi) revert InvalidPolicyRange(PolicyParam.FeeBounds, lo, hi);
        _checkBounds(PolicyParam.FeeBounds, hi, 0, MAX_FEE_PIPS);
        Policy storage p = _policies[pool];
        p.minFeePips = lo;
        p.maxFeePips = hi;
        emit PolicyUpdated(pool, PolicyParam.FeeBounds, lo, hi);
    }

    function _setWidthBounds(address pool, uint32 lo, uint32 hi) private {
        if (lo > hi) revert InvalidPolicyRange(PolicyParam.WidthBounds, lo, hi);
        _checkBounds(PolicyParam.WidthBounds, lo, MIN_WIDTH_BPS, MAX_WIDTH_BPS);
        if (hi != UNBOUNDED_WIDTH_BPS) _checkBounds(PolicyParam.WidthBounds, hi, MIN_WIDTH_BPS, MAX_WIDTH_BPS);
        Policy storage p = _policies[pool];
        p.minWidthBps = lo;
        p.maxWidthBps = hi;
        emit PolicyUpdated(pool, PolicyParam.WidthBounds, lo, hi);
    }

    function _setMinRebalanceInterval(address pool, uint32 v) private {
        _checkBounds(PolicyParam.MinRebalanceInterval, v, MIN_REBALANCE_INTERVAL, MAX_REBALANCE_INTERVAL);
        _policies[pool].minRebalanceInterval = v;
        emit PolicyUpdated(pool, PolicyParam.MinRebalanceInterval, v, 0);
    }

    function _setInventoryBounds(address pool, uint16 lo, uint16 hi) private {
        if (lo > hi) revert InvalidPolicyRange(PolicyParam.InventoryBounds, lo, hi);
        _checkBounds(PolicyParam.InventoryBounds, hi, 0, MAX_SHARE_BPS);
        Policy storage p = _policies[pool];
        p.minBaseShareBps = lo;
        p.maxBaseShareBps = hi;
        emit PolicyUpdated(pool, PolicyParam.InventoryBounds, lo, hi);
    }

    function _checkBounds(PolicyParam param, uint256 v, uint256 lo, uint256 hi) private pure {
        if (v < lo || v > hi) revert PolicyOutOfBounds(param, v, lo, hi);
    }

    // ------------------------------------------------------------------ funds

    /// @inheritdoc ITreasuryVaultOwnerActions
    function deposit(address pool, uint256 amount0, uint256 amount1)
        external
        override
        onlyOwner
        nonReentrant
        registeredPool(pool)
        returns (uint128 liquidity)
    {
        _checkSpot(pool);
        if (amount0 != 0) IERC20(IManagedPool(pool).token0()).safeTransferFrom(msg.sender, pool, amount0);
        if (amount1 != 0) IERC20(IManagedPool(pool).token1()).safeTransferFrom(msg.sender, pool, amount1);
        (liquidity,,) = IManagedPool(pool).sync();
        _adjustLossWindow(pool, amount0, amount1, true);
        emit Deposited(pool, amount0, amount1, liquidity);
    }

    /// @dev The pool's spot price within maxTwapDeviationBps of the oracle price (deposit's and withdraw's re-fit
    /// happens there).
    function _checkSpot(address pool) private view {
        Policy storage p = _policies[pool];
        uint256 oraclePrice = _oraclePrice(p);
        (uint160 spot,,,,,,) = IManagedPool(pool).slot0();
        uint256 dev = _skewBps(spot, oraclePrice);
        if (dev > p.maxTwapDeviationBps) revert SpotPriceDeviation(spot, oraclePrice, dev, p.maxTwapDeviationBps);
    }

    /// @dev Moves the loss window's start holdings by a deposit (add) or withdrawal; a holding past 112 bits drops
    /// the window (the next rebalance starts one).
    function _adjustLossWindow(address pool, uint256 amount0, uint256 amount1, bool add) private {
        uint256 w = _lossWindows[pool];
        if (w >> WINDOW_START_SHIFT == 0) return; // no window
        uint256 h0 = w & HOLDING_MASK;
        uint256 h1 = (w >> HOLDING_BITS) & HOLDING_MASK;
        if (add) {
            h0 += amount0;
            h1 += amount1;
        } else {
            h0 = h0 > amount0 ? h0 - amount0 : 0;
            h1 = h1 > amount1 ? h1 - amount1 : 0;
        }
        _lossWindows[pool] = h0 > HOLDING_MASK || h1 > HOLDING_MASK
            ? NO_LOSS_WINDOW
            : h0 | (h1 << HOLDING_BITS) | ((w >> WINDOW_START_SHIFT) << WINDOW_START_SHIFT);
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function withdraw(address pool, uint256 amount0, uint256 amount1, address to)
        external
        override
        onlyOwner
        nonReentrant
        registeredPool(pool)
        returns (uint128 liquidity)
    {
        if (to == address(0)) revert ZeroAddress();
        _checkSpot(pool); // the pool re-fits its liquidity at the spot price, as after a deposit
        liquidity = IManagedPool(pool).withdraw(to, amount0, amount1);
        _adjustLossWindow(pool, amount0, amount1, false);
        emit Withdrawn(pool, to, amount0, amount1, liquidity);
    }

    /// @inheritdoc ITreasuryVaultGuardianActions
    function emergencyWithdraw(address pool)
        external
        override
        onlyGuardianOrOwner
        whenPaused
        nonReentrant
        registeredPool(pool)
        returns (uint256 amount0, uint256 amount1)
    {
        address to = owner();
        (amount0, amount1) = IManagedPool(pool).emergencyWithdraw(to);
        _lossWindows[pool] = NO_LOSS_WINDOW;
        emit EmergencyWithdrawn(pool, to, amount0, amount1);
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function sweep(address token, uint256 amount) external override onlyOwner nonReentrant {
        address to = owner();
        IERC20(token).safeTransfer(to, amount);
        emit Swept(token, to, amount);
    }

    // ------------------------------------------------------------------ pause

    /// @inheritdoc ITreasuryVaultGuardianActions
    function pause() external override onlyGuardianOrOwner {
        _pause();
        _setPoolsPaused(true);
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function unpause() external override onlyOwner {
        _unpause();
        _setPoolsPaused(false);
    }

    function _setPoolsPaused(bool value) private {
        _syncManager(IUniswapV3PositionManagerSync.syncPaused.selector, value ? 1 : 0, 0, 0x24);
        uint256 n = _pools.length;
        for (uint256 i; i < n; ++i) {
            IManagedPool(_pools[i]).setPaused(value);
        }
    }

    // ------------------------------------------------------------------ rebalance

    /// @inheritdoc ITreasuryVaultKeeperActions
    /// @dev No pause check here: while the vault is paused every registered pool is paused, which shuts its swaps
    /// but not its reposition, so the keeper can re-centre on the oracle before the owner unpauses (the TWAP check
    /// is skipped then: without swaps the pool's TWAP only repeats the frozen price). No re-entrancy lock either:
    /// the only external calls are to the owner-chosen feeds and to the pool, and only a keeper can enter.
    function rebalance(address pool, Target calldata target)
        external
        override
        onlyKeeper
        returns (uint160 low, uint160 high)
    {
        // the policy's two slots as raw words (layout: see Policy and the POLICY_* offsets)
        Policy storage policy = _policies[pool];
        uint256 a;
        uint256 b;
        assembly ("memory-safe") {
            a := sload(policy.slot)
            b := sload(add(policy.slot, 1))
        }
        if (a >> A_REGISTERED_SHIFT == 0) revert UnknownPool(pool);
        (uint256 oraclePrice, int256 skew) = _preChecks(a, b, pool, target);

        IManagedPool.RepositionResult memory r = _reposition(pool, target, uint32(a >> A_TWAP_WINDOW_SHIFT));
        if (r.previousRepositionTime != 0) {
            uint256 nextAllowed;
            unchecked {
                nextAllowed = uint256(r.previousRepositionTime) + uint32(b >> B_MIN_INTERVAL_SHIFT); // < 2^33
            }
            if (block.timestamp < nextAllowed) revert RebalanceTooSoon(nextAllowed);
        }
        low = uint160(uint128(r.range));
        high = uint160(r.range >> 128);
        uint256 previousSpot = r.previousSpot;
        if (previousSpot & 1 != 0) r.twapLogPrice = 0; // paused
        else if (previousSpot & 6 == 0 || !_pinnedBeforeOracle(previousSpot, oraclePrice)) _checkTwap(b, oraclePrice, r.twapLogPrice);
        _checkWidth(b, low, high);
        uint256 reserve0 = uint128(r.reserves);
        uint256 reserve1 = r.reserves >> 128;
        (uint256 share, uint256 value) = _checkInventory(b, oraclePrice, reserve0, reserve1);
        _checkSkewDirection(a, b, share, skew);
        _checkLoss(pool, b, oraclePrice, reserve0, reserve1, value);
        emit Rebalanced(pool, msg.sender, oraclePrice, r.twapLogPrice, skew);
        // (low, high) returned from scratch memory (both < 2^128; masked: narrowed values may carry dirty bits here)
        assembly {
            mstore(0x00, and(low, 0xffffffffffffffffffffffffffffffff))
            mstore(0x20, and(high, 0xffffffffffffffffffffffffffffffff))
            return(0x00, 0x40)
        }
    }

    /// @dev pool.reposition(centre, bound, fee, twapWindow, hint) through a low-level call; the pool's revert data
    /// is bubbled. The five static words returned are the RepositionResult in memory order.
    function _reposition(address pool, Target calldata target, uint32 twapWindow)
        private
        returns (IManagedPool.RepositionResult memory r)
    {
        bytes4 selector = IManagedPoolVaultActions.reposition.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            calldatacopy(add(ptr, 0x04), target, 0x60) // sqrtPriceX96, sqrtPriceBoundX96, feePips
            mstore(add(ptr, 0x64), and(twapWindow, 0xffffffff)) // (a uint32 may carry dirty high bits in assembly)
            calldatacopy(add(ptr, 0x84), add(target, 0x60), 0x20) // observationHint
            let ok := call(gas(), pool, 0, ptr, 0xa4, ptr, 0xa0)
            if iszero(ok) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), 0xa0) { revert(0, 0) }
            r := ptr
            mstore(0x40, add(ptr, 0xa0))
        }
    }

    /// @dev Fee, feeds, skew magnitude. Returns the oracle price (Q128.128) and the centre's signed skew in bps
    /// (> 0: above the oracle). a, b: the policy's slots.
    function _preChecks(uint256 a, uint256 b, address pool, Target calldata target)
        private
        view
        returns (uint256 oraclePrice, int256 signedSkew)
    {
        {
            uint24 feePips = target.feePips;
            uint24 minFee = uint24(b >> B_MIN_FEE_SHIFT);
            uint24 maxFee = uint24(b >> B_MAX_FEE_SHIFT);
            if (feePips < minFee || feePips > maxFee) revert FeeOutOfBounds(feePips, minFee, maxFee);
        }
        uint256 heartbeat = uint32(a >> A_HEARTBEAT_SHIFT);
        int256 answer = _readFeed(AggregatorV3Interface(address(uint160(a))), heartbeat);
        if (answer <= 0) revert NonPositivePrice(answer);
        if ((b >> B_READS_VOLATILITY_FEED_SHIFT) & 0xff != 0) {
            int256 vol = _readFeed(_volatilityFeeds[pool], heartbeat);
            if (vol <= 0) revert NonPositiveVolatility(vol);
        }
        oraclePrice = _toPriceX128(answer, int8(uint8(a >> A_PRICE_SCALE_EXP_SHIFT)));
        uint16 maxSkew = uint16(a >> A_MAX_SKEW_SHIFT);
        uint160 sqrtPriceX96 = target.sqrtPriceX96;
        if (sqrtPriceX96 > type(uint128).max) revert SkewTooLarge(sqrtPriceX96, oraclePrice, type(uint256).max, maxSkew);
        uint256 skew = _skewBps(sqrtPriceX96, oraclePrice);
        if (skew > maxSkew) revert SkewTooLarge(sqrtPriceX96, oraclePrice, skew, maxSkew);
        // skew <= 2000: the cast is exact; above the oracle when pc > po (pc as in _skewBps)
        unchecked {
            signedSkew = (uint256(sqrtPriceX96) * sqrtPriceX96) >> 64 > oraclePrice ? int256(skew) : -int256(skew);
        }
    }

    /// @dev Whether the pool's spot sat on a bound of its range before the reposition with the oracle price beyond
    /// that bound on the same side (the TWAP exemption; see the contract notes). previousSpot: the pool's
    /// RepositionResult.previousSpot with bit 1 (at the lower bound) or bit 2 (at the upper bound) set.
    function _pinnedBeforeOracle(uint256 previousSpot, uint256 oraclePrice) private pure returns (bool) {
        unchecked {
            // the edge's sqrt price < 2^128: e * e < 2^256
            uint256 e = uint128(previousSpot >> 8);
            uint256 edgePrice = (e * e) >> 64;
            return previousSpot & 2 != 0 ? oraclePrice < edgePrice : oraclePrice > edgePrice;
        }
    }

    /// @dev TWAP deviation (after the reposition; a revert undoes it). b: the policy's slot B.
    function _checkTwap(uint256 b, uint256 oraclePrice, int256 twapLogPrice) private pure {
        int256 oracleLog = LogMath.coarseLogPriceFromPriceX128(oraclePrice);
        int256 d;
        unchecked {
            // |twapLogPrice| < 2^71 (an int72 difference over the window), |oracleLog| < 2^40: no overflow
            d = twapLogPrice - oracleLog;
            if (d < 0) d = -d;
        }
        if (uint256(d) > uint24(b)) {
            revert TwapDeviation(twapLogPrice, oracleLog, uint16(b >> B_MAX_TWAP_DEVIATION_BPS_SHIFT));
        }
    }

    /// @dev Width of the new range. b: the policy's slot B.
    function _checkWidth(uint256 b, uint256 low, uint256 high) private pure {
        uint256 width = _deviationBps(high, low);
        uint32 minWidth = uint32(b >> B_MIN_WIDTH_SHIFT);
        uint32 maxWidth = uint32(b >> B_MAX_WIDTH_SHIFT);
        if (width < minWidth || (width > maxWidth && maxWidth != UNBOUNDED_WIDTH_BPS)) {
            revert WidthOutOfBounds(width, minWidth, maxWidth);
        }
    }

    /// @dev Base share of the pool's value at the oracle price within the policy's bounds (or anywhere when the policy
    /// allows inventory recovery; the skew-direction rule then keeps the centre steering toward the target share); returns the share (bps)
    /// and the value at the oracle (quote units: floor(reserve0 * priceX128 / 2^128) + reserve1).
    function _checkInventory(uint256 b, uint256 oraclePrice, uint256 reserve0, uint256 reserve1)
        private
        pure
        returns (uint256 share, uint256 total)
    {
        uint256 v0 = _valueOf(reserve0, oraclePrice);
        total = v0 + reserve1;
        unchecked {
            // v0 < 2^240: v0 * 1e4 < 2^254
            if (total != 0) share = v0 < 1 << 240 ? (v0 * 10_000) / total : FullMath.mulDiv(v0, 10_000, total);
        }
        uint16 minShare = uint16(b >> B_MIN_BASE_SHARE_SHIFT);
        uint16 maxShare = uint16(b >> B_MAX_BASE_SHARE_SHIFT);
        if ((share < minShare || share > maxShare) && b >> B_ALLOW_INVENTORY_RECOVERY_SHIFT == 0) {
            revert InventoryOutOfBounds(share, minShare, maxShare);
        }
    }

    /// @dev floor(amount0 * priceX128 / 2^128) from the 512-bit product (amount0 < 2^128: high word < 2^128), exact.
    function _valueOf(uint256 amount0, uint256 priceX128) private pure returns (uint256 v0) {
        assembly ("memory-safe") {
            let mm := mulmod(amount0, priceX128, not(0))
            let prod0 := mul(amount0, priceX128)
            let prod1 := sub(sub(mm, prod0), lt(mm, prod0))
            v0 := or(shr(128, prod0), shl(128, prod1))
        }
    }

    /// @dev The skew steers toward the target share (the midpoint of the inventory bounds) and is at most
    /// maxSkew * |share - target| / halfBand (halfBand = (max - min) / 2; capped at maxSkew). A skew of 0 bps
    /// (within 1 bp of the oracle) is always allowed. See SkewAgainstInventory.
    function _checkSkewDirection(uint256 a, uint256 b, uint256 share, int256 skew) private pure {
        if (skew == 0) return;
        unchecked {
            // all values < 2^17: no overflow
            uint256 lo = uint16(b >> B_MIN_BASE_SHARE_SHIFT);
            uint256 hi = uint16(b >> B_MAX_BASE_SHARE_SHIFT);
            uint256 targetShare = (lo + hi) / 2;
            uint256 allowed;
            // base above target: centre below the oracle (skew < 0); base below target: above (skew > 0)
            if (skew < 0 ? share > targetShare : share < targetShare) {
                uint256 maxSkew = uint16(a >> A_MAX_SKEW_SHIFT);
                uint256 imbalance = share > targetShare ? share - targetShare : targetShare - share;
                uint256 halfBand = (hi - lo) / 2;
                allowed = imbalance >= halfBand ? maxSkew : (maxSkew * imbalance) / halfBand;
            }
            uint256 magnitude = uint256(skew < 0 ? -skew : skew);
            if (magnitude > allowed) revert SkewAgainstInventory(skew, share, targetShare, allowed);
        }
    }

    /// @dev The loss budget (see LossBudgetExceeded): starts a window at the current holdings when there is none or
    /// it is LOSS_WINDOW old, else compares `value` (the pool's value at the oracle now) with the value of the
    /// window's start holdings at the oracle now.
    function _checkLoss(
        address pool,
        uint256 b,
        uint256 oraclePrice,
        uint256 reserve0,
        uint256 reserve1,
        uint256 value
    ) private {
        uint256 w = _lossWindows[pool];
        unchecked {
            // start time < 2^32, LOSS_WINDOW < 2^17
            if (block.timestamp >= (w >> WINDOW_START_SHIFT) + LOSS_WINDOW) {
                if (reserve0 > HOLDING_MASK) revert PolicyOutOfBounds(PolicyParam.MaxLoss, reserve0, 0, HOLDING_MASK);
                if (reserve1 > HOLDING_MASK) revert PolicyOutOfBounds(PolicyParam.MaxLoss, reserve1, 0, HOLDING_MASK);
                _lossWindows[pool] = reserve0 | (reserve1 << HOLDING_BITS) | (block.timestamp << WINDOW_START_SHIFT);
                return;
            }
        }
        // holdings < 2^112: hold < 2^240 + 2^112 < 2^241, and maxLossBps <= 1000 < 2^10: hold * maxLossBps < 2^251
        uint256 hold = _valueOf(w & HOLDING_MASK, oraclePrice) + ((w >> HOLDING_BITS) & HOLDING_MASK);
        if (value < hold) {
            unchecked {
                uint256 loss = hold - value;
                uint256 budget = (hold * uint16(b >> B_MAX_LOSS_SHIFT)) / 10_000;
                if (loss > budget) revert LossBudgetExceeded(pool, loss, budget);
            }
        }
    }

    /// @dev Latest answer of a feed, reverting with StaleOracle when older than the heartbeat and with
    /// OracleRoundInFuture when dated after the block.
    /// Low-level staticcall decoding only `answer` and `updatedAt` (words 1 and 3 of latestRoundData's return);
    /// a feed that reverts bubbles its revert data, one returning fewer than 5 words reverts with empty data.
    function _readFeed(AggregatorV3Interface feed, uint256 heartbeat) private view returns (int256 answer) {
        uint256 updatedAt;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, 0xfeaf968c00000000000000000000000000000000000000000000000000000000) // latestRoundData()
            let ok := staticcall(gas(), feed, ptr, 4, ptr, 0xa0)
            if iszero(ok) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), 0xa0) { revert(0, 0) }
            answer := mload(add(ptr, 0x20))
            updatedAt := mload(add(ptr, 0x60))
        }
        if (updatedAt > block.timestamp) revert OracleRoundInFuture(address(feed), updatedAt, block.timestamp);
        unchecked {
            // updatedAt <= block.timestamp < 2^64 and heartbeat < 2^32
            if (block.timestamp > updatedAt + heartbeat) revert StaleOracle(address(feed), updatedAt, heartbeat);
        }
    }

    /// @dev Oracle answer (> 0) to the pool's price in Q128.128 (see the contract notes). Answers whose scaled
    /// price is 2^128 or more, or rounds to zero, revert with OraclePriceOutOfRange.
    function _toPriceX128(int256 answer, int8 exp) private pure returns (uint256 priceX128) {
        uint256 a = uint256(answer);
        if (a >= 1 << 128) revert OraclePriceOutOfRange(answer);
        // exp in [-76, 38] (_setFeeds): 10^|exp| < 2^253 and answer * 10^exp < 2^128 * 2^127, no overflow below
        unchecked {
            if (exp >= 0) {
                uint256 scaled = a * 10 ** uint256(uint8(exp)); // < 2^128 * 10^12
                if (scaled >= 1 << 128) revert OraclePriceOutOfRange(answer);
                priceX128 = scaled << 128;
            } else {
                priceX128 = (a << 128) / 10 ** uint256(uint8(-exp));
            }
        }
        if (priceX128 == 0) revert OraclePriceOutOfRange(answer);
    }

    /// @dev |pc / po - 1| in bps with pc = floor(s^2 / 2^64) the price of sqrt price s in Q128.128 (s < 2^128).
    function _skewBps(uint256 sqrtPriceX96, uint256 oraclePrice) private pure returns (uint256) {
        unchecked {
            uint256 pc = (sqrtPriceX96 * sqrtPriceX96) >> 64;
            uint256 diff = pc >= oraclePrice ? pc - oraclePrice : oraclePrice - pc;
            return diff < 1 << 242 ? (diff * 10_000) / oraclePrice : FullMath.mulDiv(diff, 10_000, oraclePrice);
        }
    }

    /// @dev |(a/b)^2 - 1| in bps for sqrt prices a, b < 2^160 (see the contract notes; exact floors, no overflow:
    /// a << 96 < 2^256, r < 2^128 so r * r < 2^256, |p - 2^96| < 2^160 so * 1e4 < 2^174).
    function _deviationBps(uint256 a, uint256 b) private pure returns (uint256) {
        unchecked {
            uint256 r = (a << 96) / b;
            if (r >= 1 << 128) return type(uint256).max;
            uint256 p = (r * r) >> 96;
            uint256 diff = p >= Q96 ? p - Q96 : Q96 - p;
            return (diff * 10_000) >> 96;
        }
    }

    // ------------------------------------------------------------------ hedge

    /// @inheritdoc ITreasuryVaultOwnerActions
    function setHedgePolicy(address pool, HedgePolicy calldata p) external override onlyOwner registeredPool(pool) {
        _checkBounds(PolicyParam.Hedge, p.minMarginRatioPips, 0, 1e6);
        address old = _hedges[pool].market;
        if (old != address(0) && old != p.market) {
            IPerpMarket.Account memory a = IPerpMarket(old).accountOf(address(this));
            if (a.size != 0 || a.margin != 0) revert HedgeOpen(pool, old, a.size, a.margin);
        }
        if (p.market != address(0)) {
            IPerpMarket.MarketParams memory mp = IPerpMarket(p.market).params();
            if (address(mp.quoteToken) != IManagedPool(pool).token1() || mp.baseToken != IManagedPool(pool).token0()) {
                revert HedgeMarketMismatch(pool, p.market);
            }
            uint256 n = _pools.length;
            for (uint256 i; i < n; ++i) {
                address other = _pools[i];
                if (other != pool && _hedges[other].market == p.market) revert HedgeMarketInUse(p.market, other);
            }
        }
        _hedges[pool] = p;
        emit HedgePolicySet(pool, p.market, p.maxNotional, p.minMarginRatioPips);
        HedgeLimits memory l = _hedgeLimits[pool];
        if (l.maxMargin == 0 && l.maxVolume == 0) {
            // maxNotional < 2^128: 4x fits 130 bits; capped at 2^128 - 1
            uint256 v = uint256(p.maxNotional) * 4;
            _setHedgeLimits(pool, HedgeLimits(p.maxNotional, v > type(uint128).max ? type(uint128).max : uint128(v)));
        }
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function setHedgeLimits(address pool, HedgeLimits calldata limits) external override onlyOwner registeredPool(pool) {
        _setHedgeLimits(pool, limits);
    }

    function _setHedgeLimits(address pool, HedgeLimits memory l) private {
        _hedgeLimits[pool] = l;
        emit HedgeLimitsSet(pool, l.maxMargin, l.maxVolume);
    }

    /// @inheritdoc ITreasuryVaultKeeperActions
    function adjustHedge(address pool, int256 sizeDelta, int256 marginDelta)
        external
        override
        onlyKeeper
        whenNotPaused
        nonReentrant
    {
        HedgePolicy memory h = _hedges[pool];
        if (h.market == address(0)) revert NoHedgePolicy(pool);
        IPerpMarket market = IPerpMarket(h.market);
        if (marginDelta > 0) {
            IERC20 quote = IERC20(IManagedPool(pool).token1());
            quote.forceApprove(h.market, uint256(marginDelta));
            market.depositMargin(uint256(marginDelta));
        }
        if (sizeDelta != 0) market.trade(sizeDelta);
        if (marginDelta < 0) market.withdrawMargin(uint256(-marginDelta), address(this));
        IPerpMarket.AccountView memory v = market.accountView(address(this));
        if (v.notional > h.maxNotional) revert HedgeNotionalTooLarge(pool, v.notional, h.maxNotional);
        if (v.notional != 0) {
            uint256 ratio = v.equity <= 0 ? 0 : FullMath.mulDiv(uint256(v.equity), 1e6, v.notional);
            if (ratio < h.minMarginRatioPips) revert HedgeMarginRatioTooLow(pool, ratio, h.minMarginRatioPips);
        }
        HedgeLimits memory l = _hedgeLimits[pool];
        if (marginDelta > 0 && v.margin > int256(uint256(l.maxMargin))) {
            revert HedgeMarginCapExceeded(pool, v.margin, l.maxMargin);
        }
        if (sizeDelta != 0) _countHedgeVolume(pool, market, sizeDelta, l.maxVolume);
        emit HedgeAdjusted(pool, h.market, sizeDelta, marginDelta, v.size, v.equity, v.notional);
    }

    /// @dev Adds |sizeDelta| * mark / 1e36 to the pool's hedge volume in the current HEDGE_WINDOW (a new window when
    /// the last one is HEDGE_WINDOW old) and checks it against maxVolume.
    function _countHedgeVolume(address pool, IPerpMarket market, int256 sizeDelta, uint256 maxVolume) private {
        uint256 traded =
            FullMath.mulDiv(sizeDelta < 0 ? uint256(-sizeDelta) : uint256(sizeDelta), market.markPrice(), 1e36);
        uint256 w = _hedgeVolumes[pool];
        uint256 volume = w & ((1 << WINDOW_START_SHIFT) - 1);
        uint256 start = w >> WINDOW_START_SHIFT;
        if (block.timestamp >= start + HEDGE_WINDOW) {
            volume = 0;
            start = block.timestamp;
        }
        volume += traded;
        if (volume > maxVolume) revert HedgeVolumeBudgetExceeded(pool, volume, maxVolume);
        _hedgeVolumes[pool] = volume | (start << WINDOW_START_SHIFT);
    }

    /// @inheritdoc ITreasuryVaultOwnerActions
    function closeHedge(address pool) external override onlyOwner nonReentrant returns (int256 closedSize, uint256 margin) {
        address m = _hedges[pool].market;
        if (m == address(0)) revert NoHedgePolicy(pool);
        IPerpMarket market = IPerpMarket(m);
        int256 size = market.accountOf(address(this)).size;
        if (size != 0) {
            closedSize = -size;
            market.trade(closedSize);
        }
        int256 left = market.accountOf(address(this)).margin;
        address to = owner();
        if (left > 0) {
            margin = uint256(left);
            market.withdrawMargin(margin, to);
        }
        emit HedgeClosed(pool, m, closedSize, margin, to);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ITreasuryVaultState
    function hedgePolicyOf(address pool) external view override returns (HedgePolicy memory) {
        return _hedges[pool];
    }

    /// @inheritdoc ITreasuryVaultState
    function positionManager() external view override returns (address) {
        return _positionManager;
    }

    /// @inheritdoc ITreasuryVaultState
    function isKeeper(address account) external view override returns (bool) {
        return _keepers[account];
    }

    /// @inheritdoc ITreasuryVaultState
    function isGuardian(address account) external view override returns (bool) {
        return _guardians[account];
    }

    /// @inheritdoc ITreasuryVaultState
    function pools() external view override returns (address[] memory) {
        return _pools;
    }

    /// @inheritdoc ITreasuryVaultState
    function policyOf(address pool) external view override returns (PolicyView memory v) {
        Policy storage p = _policies[pool];
        v.params = PolicyParams({
            priceFeed: p.priceFeed,
            volatilityFeed: _volatilityFeeds[pool],
            heartbeat: p.heartbeat,
            twapWindow: p.twapWindow,
            maxTwapDeviationBps: p.maxTwapDeviationBps,
            maxSkewBps: p.maxSkewBps,
            minFeePips: p.minFeePips,
            maxFeePips: p.maxFeePips,
            minWidthBps: p.minWidthBps,
            maxWidthBps: p.maxWidthBps,
            minRebalanceInterval: p.minRebalanceInterval,
            minBaseShareBps: p.minBaseShareBps,
            maxBaseShareBps: p.maxBaseShareBps
        });
        v.registered = p.registered;
        v.priceScaleExp = p.priceScaleExp;
        v.maxTwapDeviationLog = p.maxTwapDeviationLog;
        v.allowInventoryRecovery = p.allowInventoryRecovery;
    }

    /// @inheritdoc ITreasuryVaultState
    function oraclePriceX128(address pool) external view override registeredPool(pool) returns (uint256) {
        return _oraclePrice(_policies[pool]);
    }

    function _oraclePrice(Policy storage p) private view returns (uint256) {
        int256 answer = _readFeed(p.priceFeed, p.heartbeat);
        if (answer <= 0) revert NonPositivePrice(answer);
        return _toPriceX128(answer, p.priceScaleExp);
    }

    /// @inheritdoc ITreasuryVaultState
    function hedgeLimitsOf(address pool) external view override returns (HedgeLimits memory) {
        return _hedgeLimits[pool];
    }

    /// @inheritdoc ITreasuryVaultState
    function lossWindowOf(address pool)
        external
        view
        override
        returns (uint256 reserve0, uint256 reserve1, uint256 startTime, uint256 maxLossBps)
    {
        uint256 w = _lossWindows[pool];
        if (w >> WINDOW_START_SHIFT == 0) w = 0; // none
        return (w & HOLDING_MASK, (w >> HOLDING_BITS) & HOLDING_MASK, w >> WINDOW_START_SHIFT, _policies[pool].maxLossBps);
    }
}
