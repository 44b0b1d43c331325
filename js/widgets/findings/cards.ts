/** The finding cards moved to js/common/cards.ts (shared with the dashboard and the sidebar). */
export * from '../../common/cards';
