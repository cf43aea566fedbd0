/**
 * The window's views: repositories (with drives and the drop area), the transfer queue (grouped
 * by state, virtualised), the network map, devices and the activity list, one file each in views/. Every
 * control has a label; everything is reachable by keyboard.
 */
export { ActivityView } from './views/activity';
export { DevicesView } from './views/devices';
export { NetworkView } from './views/network';
export { DropArea, RepositoriesView } from './views/repositories';
export { TABS, Tabs, type Tab } from './views/tabs';
export { ROW_HEIGHT, TransfersView, transferFigures, VirtualList } from './views/transfers';
