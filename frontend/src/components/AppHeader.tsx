import { UserArea } from './UserArea';

export function AppHeader() {
  return (
    <header className="app-header">
      <div className="app-header__inner">
        <div className="app-header__brand">
          <h1 className="app-header__title">
            <a href="/">Letter of Credit Platform</a>
          </h1>
          <p className="app-header__tagline">Trade operations workspace</p>
        </div>
        <UserArea />
      </div>
    </header>
  );
}
