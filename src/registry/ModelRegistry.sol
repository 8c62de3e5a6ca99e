// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {ModelShare} from "./ModelShare.sol";
import {IModelRegistry, Model, ModelParams, Pricing} from "./interfaces/IModelRegistry.sol";
import {IModelShare} from "./interfaces/IModelShare.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// @title ModelRegistry
/// @notice Registry of CogFi models and the factory of their ModelShares.
contract ModelRegistry is IModelRegistry {
    /* CONSTANTS */

    /// @inheritdoc IModelRegistry
    uint256 public constant MAX_ROYALTY_BPS = 5000;
    /// @inheritdoc IModelRegistry
    uint256 public constant MAX_ANCESTRY_DEPTH = 4;
    /// @inheritdoc IModelRegistry
    /// @dev Equal to the ledger's longest session, so a session opened after a change was announced can see it.
    uint256 public constant PRICING_DELAY = 7 days;
    /// @inheritdoc IModelRegistry
    uint256 public constant MAX_NAME_LENGTH = 64;

    /* IMMUTABLES */

    /// @inheritdoc IModelRegistry
    address public immutable stablecoin;
    /// @inheritdoc IModelRegistry
    address public immutable shareImplementation;

    /* STORAGE */

    /// @inheritdoc IModelRegistry
    uint256 public modelCount;
    mapping(uint256 modelId => Model) internal _models;

    /* CONSTRUCTOR */

    /// @param stablecoin_ The stablecoin that prices and revenue are denominated in.
    /// @param revenueStreamPeriodSeconds The shares' `REVENUE_STREAM_PERIOD` (1 day in production; reverts with
    /// `IModelShare.InvalidRevenueStreamPeriod` outside the share's bounds).
    constructor(address stablecoin_, uint256 revenueStreamPeriodSeconds) {
        if (stablecoin_ == address(0)) revert ZeroAddress();
        stablecoin = stablecoin_;
        shareImplementation = address(new ModelShare(address(this), stablecoin_, revenueStreamPeriodSeconds));
    }

    /* MODIFIERS */

    modifier onlyModelOwner(uint256 modelId) {
        address owner = _models[modelId].owner;
        if (owner == address(0)) revert UnknownModel(modelId);
        if (msg.sender != owner) revert NotModelOwner(modelId, msg.sender);
        _;
    }

    /* VIEWS */

    /// @inheritdoc IModelRegistry
    function getModel(uint256 modelId) external view returns (Model memory model) {
        model = _models[modelId];
        if (model.owner == address(0)) revert UnknownModel(modelId);
    }

    /// @inheritdoc IModelRegistry
    function pricingOf(uint256 modelId) external view returns (Pricing memory) {
        Model storage model = _models[modelId];
        if (model.owner == address(0)) revert UnknownModel(modelId);
        return _pricingInForce(model);
    }

    /// @inheritdoc IModelRegistry
    function lineageOf(uint256 modelId)
        external
        view
        returns (address owner, address share, uint256 parentId, uint256 royaltyBps, bool paused)
    {
        Model storage model = _models[modelId];
        owner = model.owner;
        if (owner == address(0)) revert UnknownModel(modelId);
        return (owner, model.share, model.parentId, model.royaltyBps, model.paused);
    }

    /// @inheritdoc IModelRegistry
    function exists(uint256 modelId) external view returns (bool) {
        return _models[modelId].owner != address(0);
    }

    /* MODEL OWNER ACTIONS */

    /// @inheritdoc IModelRegistry
    function registerModel(ModelParams calldata params) external returns (uint256 modelId, address share) {
        return _register(params, 0, 0, 0);
    }

    /// @inheritdoc IModelRegistry
    function registerDerivative(uint256 parentId, uint256 royaltyBps, ModelParams calldata params)
        external
        returns (uint256 modelId, address share)
    {
        Model storage parent = _models[parentId];
        if (parent.owner == address(0)) revert UnknownModel(parentId);
        if (royaltyBps == 0 || royaltyBps > MAX_ROYALTY_BPS) revert InvalidRoyalty(royaltyBps);
        uint256 depth = uint256(parent.depth) + 1;
        if (depth > MAX_ANCESTRY_DEPTH) revert AncestryTooDeep(depth);
        return _register(params, parentId, royaltyBps, depth);
    }

    /// @inheritdoc IModelRegistry
    function setPricing(uint256 modelId, Pricing calldata pricing)
        external
        onlyModelOwner(modelId)
        returns (uint256 effectiveAt)
    {
        Model storage model = _models[modelId];
        uint256 scheduledAt = model.pendingPricingAt;
        if (scheduledAt != 0) {
            if (block.timestamp < scheduledAt) revert PricingChangePending(modelId, scheduledAt);
            model.pricing = model.pendingPricing;
        }
        effectiveAt = block.timestamp + PRICING_DELAY;
        model.pendingPricing = pricing;
        model.pendingPricingAt = uint64(effectiveAt);
        emit PricingScheduled(modelId, pricing, effectiveAt);
    }

    /// @inheritdoc IModelRegistry
    function cancelPricingChange(uint256 modelId) external onlyModelOwner(modelId) {
        Model storage model = _models[modelId];
        uint256 scheduledAt = model.pendingPricingAt;
        if (scheduledAt == 0 || block.timestamp >= scheduledAt) revert NoPricingChangePending(modelId);
        delete model.pendingPricing;
        model.pendingPricingAt = 0;
        emit PricingChangeCancelled(modelId);
    }

    /// @inheritdoc IModelRegistry
    function setPaused(uint256 modelId, bool paused) external onlyModelOwner(modelId) {
        Model storage model = _models[modelId];
        if (model.paused == paused) revert PauseUnchanged(modelId, paused);
        model.paused = paused;
        emit PauseSet(modelId, paused);
    }

    /// @inheritdoc IModelRegistry
    function setMetadataURI(uint256 modelId, string calldata metadataURI) external onlyModelOwner(modelId) {
        _models[modelId].metadataURI = metadataURI;
        emit MetadataURISet(modelId, metadataURI);
    }

    /// @inheritdoc IModelRegistry
    function transferModelOwnership(uint256 modelId, address newOwner) external onlyModelOwner(modelId) {
        if (newOwner == address(0)) revert ZeroAddress();
        _models[modelId].pendingOwner = newOwner;
        emit OwnershipTransferStarted(modelId, msg.sender, newOwner);
    }

    /// @inheritdoc IModelRegistry
    function acceptModelOwnership(uint256 modelId) external {
        Model storage model = _models[modelId];
        if (model.owner == address(0)) revert UnknownModel(modelId);
        if (msg.sender != model.pendingOwner) revert NotPendingOwner(modelId, msg.sender);
        address previousOwner = model.owner;
        model.owner = msg.sender;
        model.pendingOwner = address(0);
        emit OwnershipTransferred(modelId, previousOwner, msg.sender);
    }

    /* INTERNAL */

    function _register(ModelParams calldata params, uint256 parentId, uint256 royaltyBps, uint256 depth)
        internal
        returns (uint256 modelId, address share)
    {
        uint256 nameLength = bytes(params.name).length;
        if (nameLength == 0 || nameLength > MAX_NAME_LENGTH) revert InvalidName();
        if (params.shareSupply == 0 || params.shareSupply > type(uint128).max) {
            revert InvalidShareSupply(params.shareSupply);
        }

        modelId = ++modelCount;
        share = Clones.clone(shareImplementation);

        Model storage model = _models[modelId];
        model.owner = msg.sender;
        model.share = share;
        model.parentId = uint64(parentId);
        model.royaltyBps = uint16(royaltyBps);
        model.depth = uint8(depth);
        model.pricing = params.pricing;
        model.name = params.name;
        model.metadataURI = params.metadataURI;

        emit ModelRegistered(modelId, msg.sender, parentId, share, royaltyBps, params.name, params.metadataURI);

        string memory id = Strings.toString(modelId);
        IModelShare(share)
            .initialize(
                string.concat("CogFi Model Share ", id, ": ", params.name),
                string.concat("CMS", id),
                modelId,
                msg.sender,
                params.shareSupply
            );
    }

    function _pricingInForce(Model storage model) internal view returns (Pricing memory) {
        uint256 scheduledAt = model.pendingPricingAt;
        return scheduledAt != 0 && block.timestamp >= scheduledAt ? model.pendingPricing : model.pricing;
    }
}
