// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

/// @notice Price of a model's inference in stablecoin units per million tokens of each kind.
/// @dev 80 bits each keeps the three prices in one storage slot (max ~1.2e24 units per million tokens).
struct Pricing {
    uint80 inputPerMTok;
    uint80 outputPerMTok;
    uint80 reasoningPerMTok;
}

/// @notice What a model owner supplies to register a model.
struct ModelParams {
    string name;
    string metadataURI;
    Pricing pricing;
    /// @dev Fixed ModelShare supply (18 decimals) minted to the owner, at most `type(uint128).max`.
    uint256 shareSupply;
}

/// @notice A registered model as stored.
struct Model {
    address owner;
    /// @dev The ModelShare clone that receives this model's revenue.
    address share;
    /// @dev Id of the model this one derives from (fine-tune, distillation), 0 for a base model.
    uint64 parentId;
    /// @dev Share of this model's revenue paid up to `parentId`, in bps.
    uint16 royaltyBps;
    /// @dev Number of ancestors (0 for a base model), at most `MAX_ANCESTRY_DEPTH`.
    uint8 depth;
    bool paused;
    /// @dev Pricing in force until `pendingPricingAt`.
    Pricing pricing;
    /// @dev Scheduled pricing, in force from `pendingPricingAt` (0 when nothing is scheduled).
    Pricing pendingPricing;
    uint64 pendingPricingAt;
    address pendingOwner;
    string name;
    string metadataURI;
}

/// @title IModelRegistry
/// @notice Registry of on-chain AI models: owners, derivative lineage and royalties, delayed pricing, pause
/// status and each model's ModelShare (deployed as a minimal clone with a fixed supply to the owner).
/// @dev Royalties cascade: a derivative pays `royaltyBps` of all its revenue, royalties it received included, to
/// its parent, which in turn pays its own royalty on that to its parent. With `MAX_ROYALTY_BPS` at 50% and at
/// most `MAX_ANCESTRY_DEPTH` ancestors, a model's holders keep at least half of its own revenue.
interface IModelRegistry {
    /* ERRORS */

    /// @notice Thrown when a model id is not registered.
    error UnknownModel(uint256 modelId);
    /// @notice Thrown when the caller is not the model's owner.
    error NotModelOwner(uint256 modelId, address caller);
    /// @notice Thrown when the caller is not the model's pending owner.
    error NotPendingOwner(uint256 modelId, address caller);
    /// @notice Thrown when a derivative's royalty is zero or above `MAX_ROYALTY_BPS`.
    error InvalidRoyalty(uint256 royaltyBps);
    /// @notice Thrown when a derivative would have more than `MAX_ANCESTRY_DEPTH` ancestors.
    error AncestryTooDeep(uint256 depth);
    /// @notice Thrown when a share supply is zero or above `type(uint128).max`.
    error InvalidShareSupply(uint256 supply);
    /// @notice Thrown when a model name is empty or longer than `MAX_NAME_LENGTH` bytes.
    error InvalidName();
    /// @notice Thrown when a pricing change is requested while an earlier one has not yet taken effect.
    error PricingChangePending(uint256 modelId, uint256 effectiveAt);
    /// @notice Thrown when there is no scheduled pricing change left to cancel.
    error NoPricingChangePending(uint256 modelId);
    /// @notice Thrown when a model is already in the requested pause state.
    error PauseUnchanged(uint256 modelId, bool paused);
    /// @notice Thrown when the new owner is the zero address.
    error ZeroAddress();

    /* EVENTS */

    /// @notice Emitted when a model (base or derivative) is registered.
    event ModelRegistered(
        uint256 indexed modelId,
        address indexed owner,
        uint256 indexed parentId,
        address share,
        uint256 royaltyBps,
        string name,
        string metadataURI
    );
    /// @notice Emitted when a pricing change is scheduled.
    event PricingScheduled(uint256 indexed modelId, Pricing pricing, uint256 effectiveAt);
    /// @notice Emitted when a scheduled pricing change is cancelled before it takes effect.
    event PricingChangeCancelled(uint256 indexed modelId);
    /// @notice Emitted when a model is paused or unpaused.
    event PauseSet(uint256 indexed modelId, bool paused);
    /// @notice Emitted when a model's metadata URI changes.
    event MetadataURISet(uint256 indexed modelId, string metadataURI);
    /// @notice Emitted when the owner starts an ownership transfer.
    event OwnershipTransferStarted(uint256 indexed modelId, address indexed owner, address indexed pendingOwner);
    /// @notice Emitted when the pending owner accepts ownership.
    event OwnershipTransferred(uint256 indexed modelId, address indexed previousOwner, address indexed newOwner);

    /* CONSTANTS */

    /// @notice Highest royalty a derivative may pay its parent, in bps (5,000 = 50%).
    function MAX_ROYALTY_BPS() external view returns (uint256);
    /// @notice Most ancestors a model may have (a base model has 0).
    function MAX_ANCESTRY_DEPTH() external view returns (uint256);
    /// @notice Seconds between scheduling a pricing change and it taking effect.
    function PRICING_DELAY() external view returns (uint256);
    /// @notice Longest model name, in bytes.
    function MAX_NAME_LENGTH() external view returns (uint256);

    /* VIEWS */

    /// @notice The stablecoin that prices are quoted in and revenue is paid in.
    function stablecoin() external view returns (address);
    /// @notice The ModelShare implementation every share is a clone of; its immutables (`REVENUE_STREAM_PERIOD`
    /// among them, set by this registry's constructor) are every clone's.
    function shareImplementation() external view returns (address);
    /// @notice Number of registered models; ids run from 1 to `modelCount()`.
    function modelCount() external view returns (uint256);
    /// @notice The whole stored record of a model. Reverts with `UnknownModel` for an unknown id.
    function getModel(uint256 modelId) external view returns (Model memory);
    /// @notice The pricing in force at the current block (the scheduled one once its time has come).
    function pricingOf(uint256 modelId) external view returns (Pricing memory);
    /// @notice Owner, share, parent and royalty of a model, in one call for settlement paths.
    function lineageOf(uint256 modelId)
        external
        view
        returns (address owner, address share, uint256 parentId, uint256 royaltyBps, bool paused);
    /// @notice Whether `modelId` is registered.
    function exists(uint256 modelId) external view returns (bool);

    /* MODEL OWNER ACTIONS */

    /// @notice Registers a base model owned by the caller and deploys its ModelShare.
    /// @return modelId The new model's id.
    /// @return share The new ModelShare, whose whole supply is minted to the caller.
    function registerModel(ModelParams calldata params) external returns (uint256 modelId, address share);

    /// @notice Registers a derivative (fine-tune, distillation, ...) of `parentId`, owned by the caller.
    /// @param royaltyBps Share of the derivative's revenue paid to the parent, in (0, `MAX_ROYALTY_BPS`].
    function registerDerivative(uint256 parentId, uint256 royaltyBps, ModelParams calldata params)
        external
        returns (uint256 modelId, address share);

    /// @notice Schedules `pricing` to take effect `PRICING_DELAY` seconds from now. Owner only.
    /// @dev Reverts with `PricingChangePending` while an earlier change is scheduled and not yet in force.
    function setPricing(uint256 modelId, Pricing calldata pricing) external returns (uint256 effectiveAt);

    /// @notice Cancels a scheduled pricing change that has not taken effect. Owner only.
    /// @dev Reverts with `NoPricingChangePending` when nothing is scheduled or the change is already in force.
    function cancelPricingChange(uint256 modelId) external;

    /// @notice Pauses or unpauses a model: a paused model opens no sessions and settles no usage. Owner only.
    function setPaused(uint256 modelId, bool paused) external;

    /// @notice Replaces the model's metadata URI. Owner only.
    function setMetadataURI(uint256 modelId, string calldata metadataURI) external;

    /// @notice Starts a two-step ownership transfer to `newOwner`. Owner only.
    function transferModelOwnership(uint256 modelId, address newOwner) external;

    /// @notice Completes an ownership transfer. Pending owner only.
    function acceptModelOwnership(uint256 modelId) external;
}
